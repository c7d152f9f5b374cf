from index.analyzer_sv import analyze, split_compound, stem


def test_definite_and_bare_forms_meet():
    for a, b in [("klimatet", "klimat"), ("miljön", "miljö"), ("ekonomin", "ekonomi"), ("budgeten", "budget"),
                 ("målen", "mål"), ("skolan", "skola"), ("företagen", "företag")]:  # fmt: skip
        assert stem(a) == stem(b), (a, b)


def test_different_words_stay_apart():
    assert stem("mål") != stem("miljö")
    assert stem("ekonomi") != stem("ekologi")


def test_stop_words_dropped_content_kept():
    assert analyze("Vilka mål handlar om klimatet?") == [stem("mål"), stem("handlar"), stem("klimatet")]


def test_compounds_split_against_known_terms():
    known = {stem("klimat"), stem("mål"), stem("arbete"), stem("givare")}.__contains__
    assert split_compound("klimatmål", known) == [stem("klimat"), stem("mål")]
    assert split_compound("arbetsgivare", known) == [stem("arbete"), stem("givare")]  # linking -s-
    assert split_compound("kommunen", known) == []
    assert stem("klimat") in analyze("klimatmålen", known=known)
