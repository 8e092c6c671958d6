"""Sequence recognition from acquisition attributes: each rule of the documented order, at its thresholds."""
from __future__ import annotations

import pytest

pytest.importorskip("pydicom", reason="the image tests need the 'images' extra")

from pydicom.dataset import Dataset  # noqa: E402

from neurohlh.station.images.classify import classify, description, field_strength  # noqa: E402


def mr(**attributes) -> Dataset:
    ds = Dataset()
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


@pytest.mark.parametrize(("attributes", "kind"), [
    ({"ImageType": ["DERIVED", "PRIMARY", "DIFFUSION", "ADC"], "ScanningSequence": "EP"}, "ADC"),
    ({"DiffusionBValue": 1000, "ScanningSequence": "EP"}, "DWI"),
    ({"DiffusionBValue": 0, "ScanningSequence": "EP", "SequenceName": "*ep_b0"}, "other"),  # b0 alone, no DIFFUSION
    ({"ScanningSequence": "EP", "SequenceName": "*ep_b1000t"}, "DWI"),
    ({"ImageType": ["ORIGINAL", "PRIMARY", "DIFFUSION", "TRACEW"]}, "DWI"),
    ({"ScanningSequence": "GR", "SequenceName": "*swi3d1r", "RepetitionTime": 28, "EchoTime": 20}, "SWI"),
    ({"ScanningSequence": "GR", "SequenceName": "SWAN", "RepetitionTime": 40, "EchoTime": 25}, "SWI"),
    ({"ScanningSequence": ["SE", "IR"], "InversionTime": 1500, "RepetitionTime": 9000, "EchoTime": 81}, "FLAIR"),
    ({"ScanningSequence": ["SE", "IR"], "InversionTime": 1499, "RepetitionTime": 9000, "EchoTime": 81}, "T1"),
    ({"ScanningSequence": ["GR", "IR"], "InversionTime": 900, "RepetitionTime": 2300, "EchoTime": 3}, "T1"),
    ({"ScanningSequence": "SE", "RepetitionTime": 999, "EchoTime": 29}, "T1"),
    ({"ScanningSequence": "SE", "RepetitionTime": 1000, "EchoTime": 29}, "other"),
    ({"ScanningSequence": "SE", "RepetitionTime": 2000, "EchoTime": 60}, "T2"),
    ({"ScanningSequence": "SE", "RepetitionTime": 2000, "EchoTime": 59}, "other"),  # proton density-like
    ({"ScanningSequence": "SE", "RepetitionTime": 550, "EchoTime": 10, "ContrastBolusAgent": "GADOTERATE"},
     "T1_post"),
    ({"ScanningSequence": "SE", "RepetitionTime": 550, "EchoTime": 10, "SeriesDescription": "T1 AX POST"},
     "T1_post"),
    ({"ScanningSequence": "SE", "RepetitionTime": 550, "EchoTime": 10, "SeriesDescription": "T1 AX"}, "T1"),
    ({"AcquisitionContrast": "T1"}, "T1"),
    ({"AcquisitionContrast": "FLAIR"}, "FLAIR"),
    ({}, "other"),
])
def test_each_rule_at_its_threshold(attributes, kind):
    assert classify(mr(**attributes)).kind == kind


def test_field_strength_in_tesla_and_gauss():
    assert field_strength(mr(MagneticFieldStrength=1.5)) == 1.5
    assert field_strength(mr(MagneticFieldStrength=15000)) == 1.5  # old scanners wrote gauss
    assert field_strength(mr()) is None and field_strength(mr(MagneticFieldStrength=0)) is None


def test_the_description_uses_numbers_and_fixed_words_only():
    ds = mr(ScanningSequence="EP", DiffusionBValue=1000, RepetitionTime=5200, EchoTime=89, SliceThickness=4,
            MagneticFieldStrength=1.5, MRAcquisitionType="2D", SeriesDescription="DWI for PHANTOM^ALPHA")
    assert description(ds, "DWI", 25) == "DWI · 2D · TR 5200 TE 89 ms · b 1000 · 4 mm · 1.5 T · 25 slices"
