from .enterprise import Certification, Enterprise, Product, mask_nik
from .reference import Kbli, Region, Sentra
from .workflow import (
    ChangeRequest,
    Document,
    DuplicateFlag,
    EnterpriseClaim,
    FacilitationRecord,
    FieldChange,
    ImportJob,
)

__all__ = [
    "Certification",
    "ChangeRequest",
    "Document",
    "DuplicateFlag",
    "Enterprise",
    "EnterpriseClaim",
    "FacilitationRecord",
    "FieldChange",
    "ImportJob",
    "Kbli",
    "Product",
    "Region",
    "Sentra",
    "mask_nik",
]
