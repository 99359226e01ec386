"""The embedding explorer: look at trained word vectors by hand (notebook 08, `make app`).

state.py holds what is shown (vectors, view, colouring, the question and its answer) as plain
data; figures.py holds pure functions from that state to plotly traces, layout, legend and word
list; controls.py builds the ipywidgets and widget.py only wires them to the state; sources.py offers the vector sets
of the menu; compare.py sets two vector sets side by side; export.py writes the offline HTML
page and the projector's TSV pair. The vectors themselves live in w2v_lib.vectors.
"""
from .compare import Comparison, compare_vectors
from .export import export_html, export_projector_tsv
from .sources import default_sources, run_vectors
from .state import ExplorerState
from .widget import Explorer

__all__ = ["Explorer", "ExplorerState", "Comparison", "compare_vectors", "default_sources", "run_vectors",
           "export_html", "export_projector_tsv"]
