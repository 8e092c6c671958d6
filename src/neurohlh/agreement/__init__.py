"""Reader agreement and consensus from double reads.

Coefficients (:func:`cohen_kappa`, :func:`gwet_ac1`, :func:`scott_pi`, :func:`krippendorff_alpha`) return a frozen
:class:`AgreementResult`. :func:`derive_consensus` turns two reads and an adjudication into the consensus read
with per-field provenance (:class:`ConsensusRead`). See ``docs/agreement.md`` for the methods and their references.
"""
from __future__ import annotations

from neurohlh.agreement.coefficients import (
    AgreementResult,
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    scott_pi,
)
from neurohlh.io.consensus import (
    ADJUDICATED,
    AGREED,
    CONSENSUS_FIELDS,
    UNRESOLVED,
    ConsensusRead,
    derive_consensus,
)

__all__ = [
    "ADJUDICATED",
    "AGREED",
    "CONSENSUS_FIELDS",
    "UNRESOLVED",
    "AgreementResult",
    "ConsensusRead",
    "cohen_kappa",
    "derive_consensus",
    "gwet_ac1",
    "krippendorff_alpha",
    "scott_pi",
]
