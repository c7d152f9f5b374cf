"""Measure retrieval and answer faithfulness on question sets; compare with a plain LangChain baseline."""
