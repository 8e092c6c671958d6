"""Reader agreement and consensus from double reads.

Coefficients (:func:`cohen_kappa`, :func:`gwet_ac1`, :func:`scott_pi`, :func:`krippendorff_alpha`) return a frozen
:class:`AgreementResult`. See ``docs/agreement.md`` for the methods and their references.
"""
from __future__ import annotations

from neurohlh.agreement.coefficients import AgreementResult, cohen_kappa, gwet_ac1, krippendorff_alpha, scott_pi

__all__ = ["AgreementResult", "cohen_kappa", "gwet_ac1", "krippendorff_alpha", "scott_pi"]
