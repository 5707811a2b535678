"""The extension an attachment is stored and offered under: that of the type its bytes were
detected as (``forms.sniff_attachment``), never the one its name came with.

A PNG that carries HTML or a script after its header sniffs as ``image/png``: named
``poly.html`` it would be stored and downloaded as a page a browser or a desktop opens as
HTML. It is ``poly.png`` instead; a name whose extension already fits the type keeps it.
"""

from pathlib import PurePath

# By detected type: the extensions that fit it, the one given to a name that has none of
# them first. filetype's own extension for each type (filetype.get_type(mime=…)).
SUFFIXES = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.ms-powerpoint": (".ppt",),
    "application/x-ole-storage": (".doc", ".xls", ".ppt"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    # An Office document filetype saw only as a zip (the form takes it by .docx/.xlsx/.pptx).
    "application/zip": (".zip", ".docx", ".xlsx", ".pptx"),
}
# For a type with no entry (none the form accepts): nothing opens it by itself.
UNKNOWN_SUFFIX = ".bin"


def suffix_for(content_type, name=""):
    """The extension (lower case, with its dot) for content of ``content_type`` named
    ``name``: the name's own when it fits the type, else the type's."""
    fitting = SUFFIXES.get((content_type or "").lower(), (UNKNOWN_SUFFIX,))
    own = PurePath(name or "x").suffix.lower()
    return own if own in fitting else fitting[0]


def download_name(name, content_type):
    """``name`` with the extension of ``content_type``: 材料.html of a PNG is 材料.png."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    suffix = suffix_for(content_type, name)
    path = PurePath(name or "attachment")
    if path.suffix.lower() == suffix:
        return name
    stem = path.stem if path.suffix else path.name
    if stem.lower().endswith(suffix):  # poly.png.html: poly.png, not poly.png.png
        return stem
    return f"{stem}{suffix}"
