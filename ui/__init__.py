"""The faces of styrdok: the `styrdok` command line and the Gradio web app. Imports assistant (and eval)."""
