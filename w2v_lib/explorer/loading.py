"""How the explorer widget changes its vectors and hands them out: the vectors menu, a path (in a
notebook only), an upload, and the export.

Served (`serve=True`, the Voilà app), a visitor never names a server file: vectors come from
the operator's menu or by upload, and the export is a download link, not a file on the server.
"""
from __future__ import annotations

import base64
import html
import tempfile
from pathlib import Path

from ..vectors.formats import load_word_vectors
from ..vectors.keyed import WordVectors
from .controls import FILE_CHOICE, MAX_UPLOAD_MB
from .state import ExplorerState
from .upload import vectors_from_upload


class VectorLoading:
    """The loading and export half of widget.Explorer (a mixin: it calls the explorer's `_act`)."""

    def load_vectors(self, model: WordVectors, checkpoints=(), name: str = "word vectors"):
        """Show another vector set; the view, colouring and k carry over where they apply."""
        old = self.state
        state = ExplorerState(model, checkpoints, name=name, k=old.k, n_clusters=old.n_clusters,
                              label_limit=old.label_limit, seed=old.seed)
        state.metric = old.metric
        if old.colouring != "frequency band" or model.counts is not None:
            state.set_colouring(old.colouring)
        if not state.projection_needed(old.projection):
            try:
                state.set_projection(old.projection)
            except ValueError:  # e.g. the custom axes' words are not in the new vocabulary
                pass
        self.state = state
        options = list(self.source_menu.options)
        if name not in options:
            options.insert(len(options) - 1, name)
        self._set_quietly(self.source_menu, options=options, value=name)
        self._after_load()

    def _after_load(self):
        s = self.state
        options = [(f"iteration {it}", j) for j, (it, _) in enumerate(s.checkpoints)] + [("final", -1)]
        self._set_quietly(self.checkpoint_slider, options=options, value=-1)
        self._set_quietly(self.k_slider, value=s.k)
        self._act(lambda: f"{s.name}: {len(s.model):,} words, {s.model.dim} dimensions"
                  + (f", {len(s.checkpoints)} training checkpoints" if s.checkpoints else ""))

    def load_path(self, path: str, metadata_path=None):
        """Show the vectors of a run folder, a word2vec file or a vectors.tsv (notebook only: the
        web app takes no server path from its visitors)."""
        def load():
            if self.serve:
                raise ValueError("this app reads no file of its server: upload a vectors file instead")
            if not (path or "").strip():
                raise ValueError("type the path of a run folder, a word2vec .txt/.bin file or a vectors.tsv")
            model = load_word_vectors(path.strip(), metadata_path, centred=self.centre_box.value)
            self.load_vectors(model, (), name=Path(path.strip()).name)
        return self._act(load)

    def load_upload(self, files: dict):
        """Show uploaded vectors: {file name: bytes}, parsed in memory (see upload.py)."""
        def load():
            model, name = vectors_from_upload(files, MAX_UPLOAD_MB << 20, centred=self.centre_box.value)
            self.load_vectors(model, (), name=name)
        return self._act(load)

    def _uploaded(self, value):
        if not value:
            return
        files = {item["name"]: item["content"] for item in value}
        try:
            self.load_upload(files)
        finally:
            self._set_quietly(self.upload, value=())  # the bytes are not kept in the widget

    def load_source(self, name: str):
        """Show one of the vector sets of the menu (which may train or download them first).
        If it fails, the menu goes back to the set still shown and one line says what to do."""
        shown = self.state.name

        def load():
            if name not in self.sources:
                raise ValueError(f"no vector set called {name!r}; the menu offers {list(self.sources)}")
            self.show_message(f"loading {name}…")
            self.progress.value = 0
            self.progress.layout.visibility = "visible"
            try:
                model, checkpoints = self.sources[name](progress=self._progress)
            except (OSError, ValueError) as err:
                raise ValueError(self._failed_load(name, shown, err)) from None
            self.load_vectors(model.with_centring(self.centre_box.value), checkpoints, name=name)
        note = self._act(load)
        if self.last_error:
            self._set_quietly(self.source_menu, value=shown)
        return note

    def _failed_load(self, name, shown, err) -> str:
        """One line: what failed and what to do. Served, no server path is named."""
        if self.serve:
            return (f"{name} could not be loaded (no network here?); still showing {shown}: pick another "
                    "set or upload a vectors file")
        first = str(err).split("\n")[0]
        return f"{name} could not be loaded; still showing {shown}. {first}"

    def _progress(self, fraction: float, text: str = ""):
        self.progress.value = min(max(float(fraction), 0.0), 1.0)
        if text:
            self.show_message(text)

    def _source_chosen(self, name):
        if name == FILE_CHOICE:
            self._render()
            self.show_message("upload a word2vec .txt/.bin(.gz) file, or a vectors.tsv with its metadata.tsv"
                              if self.serve else
                              "type the path of a run folder, a word2vec .txt/.bin file or a vectors.tsv, then "
                              "Load; or upload one")
        elif name in self.sources:
            self.load_source(name)

    def export(self, directory=None):
        """The offline HTML page of the vectors shown, as a download link; in a notebook also
        written with the projector's TSV pair (into `directory` or export_dir)."""
        from ..corpora.sst import default_data_dir
        from .export import export_html, export_projector_tsv

        def write():
            s = self.state
            slug = "".join(c if c.isalnum() else "_" for c in s.name.lower()).strip("_") or "vectors"
            coords = s.coords[:, :2] if not s.three_d else None
            with tempfile.TemporaryDirectory() as scratch:
                folder = Path(scratch) if self.serve else \
                    Path(directory or self.export_dir or default_data_dir() / "explorer") / slug
                page = export_html(folder / f"{slug}.html", s.current_model, coords, title=s.name,
                                   colours=s.colours, colour_names=s.colour_names,
                                   projection=s.projection if coords is not None else None)
                self._offer_download(page.read_bytes(), page.name)
                if self.serve:
                    return f"the page is ready: {page.name} (the link above the plot downloads it)"
                vec, meta = export_projector_tsv(folder / "projector", s.current_model)
            self.exported = (page, vec, meta)
            return f"exported {page} and the projector pair {vec.name} + {meta.name} in {vec.parent}"
        return self._act(write)

    def _offer_download(self, data: bytes, filename: str):
        """A link that downloads `data` from the page itself (a data: URL): no file on the server."""
        href = "data:text/html;base64," + base64.b64encode(data).decode("ascii")
        self.download.value = (f'<a download="{html.escape(filename)}" href="{href}">download '
                               f'{html.escape(filename)} ({len(data) / 1e6:.1f} MB)</a>')
