"""Name -> weights, all of it: one package from ``ganzoo.load("biggan-deep-128")`` to a built model.

- ``load``: the entry point (a catalog name, a folder, a Lightning ``.ckpt`` or ``hf://owner/repo``);
- ``catalog``: the published checkpoints, one module of entries per family;
- ``fetch``: the only downloader (Hugging Face and plain URLs), checksummed and pinned per entry, into one
  cache; ``cache_files``: how that cache is written (staged, sealed with hashes, cleaned after crashes);
- ``convert``: one converter per published format, none of them unpickling anything;
- ``folder``: the ``config.json`` + ``model.safetensors`` format every load ends in; ``build``: from it to a
  model through the paper registry;
- ``publish``: ``save_pretrained`` / ``push_to_hub`` and the model card;
- ``inception``: the standard FID Inception's weights, fetched and converted like any checkpoint;
- ``errors``: what can go wrong, each with what to do; ``weights/``: the checkpoints shipped in the package.

``ganzoo.models`` builds on ``publish`` and ``folder``, and ``load`` builds on ``ganzoo.models``, so this
package's ``__init__`` imports none of its modules.
"""
