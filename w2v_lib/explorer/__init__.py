"""The embedding explorer: look at trained word vectors by hand (notebook 08).

model.py holds the vocabulary and the questions (neighbours, analogies, bands, clusters),
expressions.py parses word arithmetic, projections.py maps vectors to 2-D/3-D, widget.py holds
the ipywidgets controls, view.py draws the plotly figure, and export.py writes the offline HTML page and TSV pair.
"""
from .expressions import ExpressionError, parse
from .model import EmbeddingModel, UnknownWordError, load_embeddings
from .projections import align_checkpoints, custom_axes, pca, tsne
from .widget import Explorer

__all__ = ["EmbeddingModel", "UnknownWordError", "load_embeddings", "ExpressionError", "parse",
           "pca", "tsne", "custom_axes", "align_checkpoints", "Explorer"]
