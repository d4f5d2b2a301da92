"""NVlabs' released MUNIT model (``NVlabs/MUNIT`` README): edges2shoes, both auto-encoders in one file.

It is served only from a Google Drive folder, which no plain HTTP client can read, so the entry names the
folder and ``ganzoo.load`` says where to save the file downloaded by hand; no checksum is published, so the
first read pins one. The README lists edges2handbags and summer2winter as "coming soon", and no UNIT model
is linked from either repository, so they have no entries.
"""

from __future__ import annotations

from ganzoo.hub.catalog.entry import ManualDownload, Pretrained
from ganzoo.registry import WEIGHTS

DRIVE_FOLDER = "https://drive.google.com/drive/folders/10IEa7gibOWmQQuJUIUOkh-CV4cm6k8__"

ENTRIES: tuple[Pretrained, ...] = (
    Pretrained(
        name="munit-edges2shoes",
        model="ganzoo.models.MUNIT",
        init_args={"generator_only": True},
        sha256=None,
        sources=(ManualDownload(DRIVE_FOLDER),),
        format="munit",
        filename="edges2shoes.pt",
        license="CC BY-NC-SA 4.0",
        paper='Huang et al., "Multimodal Unsupervised Image-to-Image Translation", ECCV 2018',
        dataset="edges2shoes",
        training=(
            "Trained by the authors with NVlabs/MUNIT (configs/edges2shoes_folder.yaml: style_dim 8, "
            "width 64, 4 residual blocks); A = edges, B = shoes. Their test.py runs it in eval mode: "
            "translate(image, seed=..., eval_mode=True)."
        ),
    ),
)

WEIGHTS.register_all(ENTRIES)
