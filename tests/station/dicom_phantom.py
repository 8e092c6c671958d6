"""Synthetic MR studies written with pydicom, for the image tests and benchmarks.

A phantom head (nested ellipsoids: scalp, skull, grey matter, white matter, ventricles and one "lesion") is
written as multi-slice 16-bit MONOCHROME2 series, one per sequence, with plausible MR acquisition attributes and
*fake identifying headers* (an obviously synthetic name, ID, birth date, accession number, institution, physicians,
station name and private tags). The identifying strings are exported as constants so that tests can search stored
files and responses for them. Every UID is derived from the inputs, so writing the same study twice gives the same
UIDs (as a PACS export would).

Nothing here is or resembles a real patient.

pydicom's own bundled MR files (``MR_small.dcm``, the enhanced multi-frame ``emri_small.dcm`` and its compressed
variants) are found offline through :func:`bundled_file`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    ExplicitVRLittleEndian,
    MRImageStorage,
    PYDICOM_IMPLEMENTATION_UID,
    SecondaryCaptureImageStorage,
    generate_uid,
)

#: The UID root of every UID the phantom writes (pydicom's own root, then a fixed branch for the phantom).
UID_ROOT = "1.2.826.0.1.3680043.8.498.77."
PRIVATE_CREATOR = "PHANTOM SYNTHETIC PRIVATE"
PRIVATE_NOTE = "PHANTOM PRIVATE NOTE QX77"


@dataclass(frozen=True)
class PhantomPatient:
    """The fake identity written into every header of one synthetic patient."""

    name: str = "PHANTOM^ALPHA"
    patient_id: str = "PHX-770031"
    birth_date: str = "20150314"          # DICOM DA
    sex: str = "F"
    accession: str = "ACCPHX0042"
    institution: str = "Phantom Institute of Synthetic Imaging"
    institution_address: str = "1 Nowhere Lane, Synthetic City"
    department: str = "Synthetic Neuroradiology Unit"
    referring: str = "REFERRER^SYNTHIA^DR"
    performing: str = "OPERATOR^PHINEAS"
    reading: str = "READER^PHILOMENA"
    station_name: str = "PHXSTATION1"
    study_date: str = "20230611"          # DICOM DA
    study_time: str = "101500"
    study_id: str = "PHXSTUDY9"
    other_ids: str = "PHX-OTHER-5521"

    def identifying_strings(self) -> tuple[str, ...]:
        """Every identifying value written, in the forms a page or file could show it."""
        family, given = self.name.split("^")[:2]
        birth = dt.datetime.strptime(self.birth_date, "%Y%m%d").date()
        return (self.name, f"{given} {family}", f"{family}, {given}", self.patient_id, self.birth_date,
                birth.isoformat(), birth.strftime("%d/%m/%Y"), self.accession, self.institution,
                self.institution_address, self.department, self.referring, self.performing, self.reading,
                self.station_name, self.study_id, self.other_ids, PRIVATE_NOTE)


ALPHA = PhantomPatient()
BRAVO = PhantomPatient(name="PHANTOM^BRAVO", patient_id="PHX-880042", birth_date="20170922", sex="M",
                       accession="ACCPHX0077", study_date="20240105", study_id="PHXSTUDY12",
                       other_ids="PHX-OTHER-6632")

#: The identifying strings of the default patient, for tests that search stored files and responses.
PATIENT_NAME = ALPHA.name
PATIENT_ID = ALPHA.patient_id
BIRTH_DATE = ALPHA.birth_date
ACCESSION = ALPHA.accession
INSTITUTION = ALPHA.institution
IDENTIFYING = ALPHA.identifying_strings()


@dataclass(frozen=True)
class SequenceSpec:
    """Acquisition attributes of one series, as a scanner writes them."""

    kind: str                      # the station's vocabulary: T2 FLAIR DWI ADC T1 T1_post SWI other
    description: str
    sequence_name: str
    scanning_sequence: str
    sequence_variant: str
    repetition_time: float
    echo_time: float
    inversion_time: float | None = None
    flip_angle: float = 90.0
    image_type: tuple[str, ...] = ("ORIGINAL", "PRIMARY", "M", "ND")
    b_value: float | None = None
    contrast_agent: str | None = None
    acquisition: str = "2D"


SEQUENCES: dict[str, SequenceSpec] = {
    "T2": SequenceSpec("T2", "t2_tse_tra", "*tse2d1_15", "SE", "SK\\SP", 4500.0, 98.0),
    "FLAIR": SequenceSpec("FLAIR", "t2_tirm_tra_dark-fluid", "*tir2d1_16", "SE\\IR", "SK\\SP\\OSP", 9000.0,
                          81.0, inversion_time=2500.0, flip_angle=150.0),
    "DWI": SequenceSpec("DWI", "ep2d_diff_tra_TRACEW", "*ep_b1000t", "EP", "SK\\SP", 5200.0, 89.0,
                        image_type=("ORIGINAL", "PRIMARY", "DIFFUSION", "TRACEW"), b_value=1000.0),
    "ADC": SequenceSpec("ADC", "ep2d_diff_tra_ADC", "*ep_b0_1000", "EP", "SK\\SP", 5200.0, 89.0,
                        image_type=("DERIVED", "PRIMARY", "DIFFUSION", "ADC")),
    "T1": SequenceSpec("T1", "t1_se_tra", "*se2d1", "SE", "SK\\SP", 550.0, 9.5),
    "T1_post": SequenceSpec("T1_post", "t1_se_tra_post", "*se2d1", "SE", "SK\\SP", 550.0, 9.5,
                            contrast_agent="GADOBUTROL 1 MMOL/ML"),
    "SWI": SequenceSpec("SWI", "SWI_Images", "*swi3d1r", "GR", "SP\\OSP", 28.0, 20.0, flip_angle=15.0,
                        image_type=("ORIGINAL", "PRIMARY", "SWI", "NORM", "DIS2D"), acquisition="3D"),
}
ALL_KINDS = tuple(SEQUENCES)

# Tissue intensities per sequence (background, scalp, skull, grey, white, CSF, lesion), 12-bit range.
_CONTRAST: dict[str, tuple[int, ...]] = {
    "T2": (0, 900, 150, 1500, 1100, 3600, 2900),
    "FLAIR": (0, 800, 120, 1500, 1200, 300, 3300),
    "DWI": (0, 200, 60, 900, 800, 250, 2600),
    "ADC": (0, 400, 100, 1700, 1500, 3200, 600),
    "T1": (0, 2200, 250, 1400, 1900, 500, 1000),
    "T1_post": (0, 2200, 250, 1450, 1900, 500, 3400),
    "SWI": (0, 1200, 200, 1800, 1600, 2200, 400),
}


def phantom_volume(kind: str, slices: int, rows: int, columns: int) -> np.ndarray:
    """A (slices, rows, columns) uint16 head phantom with the tissue contrast of ``kind``."""
    levels = _CONTRAST.get(kind, _CONTRAST["T1"])
    z, y, x = np.meshgrid(np.linspace(-0.8, 0.8, slices) if slices > 1 else np.zeros(1),
                          np.linspace(-1, 1, rows), np.linspace(-1, 1, columns), indexing="ij")

    def inside(cx: float, cy: float, cz: float, ax: float, ay: float, az: float) -> np.ndarray:
        return ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 + ((z - cz) / az) ** 2 <= 1.0

    volume = np.full(x.shape, levels[0], dtype=np.uint16)
    for tissue, shape in ((1, (0, 0, 0, 0.92, 0.98, 1.05)), (2, (0, 0, 0, 0.86, 0.92, 1.0)),
                          (3, (0, 0, 0, 0.8, 0.86, 0.95)), (4, (0, 0, 0, 0.62, 0.7, 0.8))):
        volume[inside(*shape)] = levels[tissue]
    volume[inside(-0.18, -0.05, 0, 0.1, 0.3, 0.45) | inside(0.18, -0.05, 0, 0.1, 0.3, 0.45)] = levels[5]
    volume[inside(0.35, 0.3, 0.15, 0.12, 0.12, 0.2)] = levels[6]
    # a gentle gradient so that no two slices are identical (the viewer tests see the image change)
    return (volume + (np.arange(slices)[:, None, None] * 3 % 300)).astype(np.uint16)


def uid(*parts: object) -> str:
    """A valid UID under :data:`UID_ROOT`, always the same for the same parts."""
    return generate_uid(prefix=UID_ROOT, entropy_srcs=[str(p) for p in parts])


@dataclass(frozen=True)
class WrittenSeries:
    kind: str
    series_uid: str
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class WrittenStudy:
    patient: PhantomPatient
    study_uid: str
    folder: Path
    series: tuple[WrittenSeries, ...] = field(default=())

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(p for s in self.series for p in s.paths)

    def of_kind(self, kind: str) -> WrittenSeries:
        return next(s for s in self.series if s.kind == kind)


def _identity(ds: Dataset, patient: PhantomPatient) -> None:
    ds.PatientName = patient.name
    ds.PatientID = patient.patient_id
    ds.PatientBirthDate = patient.birth_date
    ds.PatientSex = patient.sex
    ds.OtherPatientIDs = patient.other_ids
    ds.PatientAddress = patient.institution_address
    ds.AccessionNumber = patient.accession
    ds.InstitutionName = patient.institution
    ds.InstitutionAddress = patient.institution_address
    ds.InstitutionalDepartmentName = patient.department
    ds.ReferringPhysicianName = patient.referring
    ds.PerformingPhysicianName = patient.performing
    ds.NameOfPhysiciansReadingStudy = patient.reading
    ds.OperatorsName = patient.performing
    ds.StationName = patient.station_name
    ds.StudyID = patient.study_id
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = patient.study_date
    ds.StudyTime = patient.study_time
    ds.StudyDescription = f"MRI BRAIN {patient.institution}"
    ds.DeviceSerialNumber = "PHX-SN-0001"
    ds.PatientComments = f"synthetic comment about {patient.name}"
    block = ds.private_block(0x0029, PRIVATE_CREATOR, create=True)
    block.add_new(0x10, "LO", PRIVATE_NOTE)
    block.add_new(0x11, "LO", patient.patient_id)


def slice_dataset(patient: PhantomPatient, spec: SequenceSpec, study_uid: str, series_uid: str,
                  series_number: int, index: int, pixels: np.ndarray, *, slice_thickness: float = 5.0,
                  field_strength: float = 3.0, slope: float = 1.0, intercept: float = 0.0) -> Dataset:
    """One slice of one series as a complete MR Image Storage dataset (the file meta included)."""
    rows, columns = pixels.shape
    sop_uid = uid(patient.patient_id, study_uid, series_uid, index)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = list(spec.image_type)
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.FrameOfReferenceUID = uid(study_uid, "frame")
    ds.Modality = "MR"
    ds.Manufacturer = "PHANTOM MEDICAL"
    ds.ManufacturerModelName = "Synthetic 3T"
    _identity(ds, patient)
    ds.SeriesDescription = spec.description
    ds.ProtocolName = spec.description
    ds.SeriesNumber = series_number
    ds.InstanceNumber = index + 1
    ds.AcquisitionNumber = 1
    ds.BodyPartExamined = "HEAD"
    ds.ScanningSequence = spec.scanning_sequence
    ds.SequenceVariant = spec.sequence_variant
    ds.ScanOptions = ""
    ds.MRAcquisitionType = spec.acquisition
    ds.SequenceName = spec.sequence_name
    ds.RepetitionTime = spec.repetition_time
    ds.EchoTime = spec.echo_time
    if spec.inversion_time is not None:
        ds.InversionTime = spec.inversion_time
    ds.FlipAngle = spec.flip_angle
    ds.MagneticFieldStrength = field_strength
    ds.ImagingFrequency = round(42.577 * field_strength, 4)
    ds.ImagedNucleus = "1H"
    ds.SliceThickness = slice_thickness
    ds.SpacingBetweenSlices = slice_thickness
    ds.PatientPosition = "HFS"
    if spec.b_value is not None:
        ds.DiffusionBValue = spec.b_value
    if spec.contrast_agent:
        ds.ContrastBolusAgent = spec.contrast_agent
        ds.ContrastBolusRoute = "IV"
        ds.ContrastBolusVolume = 4.0
        ds.ContrastBolusStartTime = "102000"
    location = -40.0 + index * slice_thickness
    ds.ImagePositionPatient = [-115.0, -115.0, location]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.SliceLocation = location
    ds.PixelSpacing = [230.0 / rows, 230.0 / columns]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = rows, columns
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.RescaleSlope = slope
    ds.RescaleIntercept = intercept
    ds.RescaleType = "US"
    ds.WindowCenter = 1800
    ds.WindowWidth = 3600
    ds.PixelData = np.ascontiguousarray(pixels, dtype="<u2").tobytes()
    return ds


def write_series(folder: Path, kind: str = "T2", *, patient: PhantomPatient = ALPHA, slices: int = 6,
                 rows: int = 64, columns: int = 64, study_uid: str | None = None, series_number: int = 1,
                 field_strength: float = 3.0, slope: float = 1.0, intercept: float = 0.0,
                 spec: SequenceSpec | None = None, name: str | None = None) -> WrittenSeries:
    """Write one series (one file per slice) into ``folder``; files are named in slice order."""
    spec = spec or SEQUENCES[kind]
    study_uid = study_uid or uid(patient.patient_id, patient.study_date, "study")
    series_uid = uid(study_uid, spec.kind, series_number)
    volume = phantom_volume(spec.kind, slices, rows, columns)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(slices):
        ds = slice_dataset(patient, spec, study_uid, series_uid, series_number, index, volume[index],
                           field_strength=field_strength, slope=slope, intercept=intercept)
        path = folder / f"{name or spec.kind.lower()}_{index + 1:04d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return WrittenSeries(spec.kind, series_uid, tuple(paths))


def write_study(folder: Path, kinds: Iterable[str] = ALL_KINDS, *, patient: PhantomPatient = ALPHA,
                slices: int = 6, rows: int = 64, columns: int = 64, field_strength: float = 3.0) -> WrittenStudy:
    """One MR study of ``patient`` with one series per sequence kind, in ``folder/<kind>/``."""
    study_uid = uid(patient.patient_id, patient.study_date, "study")
    series = tuple(
        write_series(folder / kind.lower(), kind, patient=patient, slices=slices, rows=rows, columns=columns,
                     study_uid=study_uid, series_number=number, field_strength=field_strength)
        for number, kind in enumerate(kinds, start=1))
    return WrittenStudy(patient, study_uid, folder, series)


# --- files that must not be shown to readers, and bad input -------------------------------------------------

def write_burned_in(path: Path, *, patient: PhantomPatient = ALPHA, flag: str = "YES") -> Path:
    """An MR slice whose header says it carries burned-in annotation (BurnedInAnnotation = ``flag``)."""
    study_uid = uid(patient.patient_id, patient.study_date, "study")
    ds = slice_dataset(patient, SEQUENCES["T2"], study_uid, uid(study_uid, "burned", path.name), 90, 0,
                       phantom_volume("T2", 1, 32, 32)[0])
    ds.BurnedInAnnotation = flag
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def write_screen_capture(path: Path, *, patient: PhantomPatient = ALPHA,
                         image_type: Sequence[str] = ("DERIVED", "SECONDARY", "SCREEN SHOT")) -> Path:
    """A Secondary Capture image (a screenshot of a workstation), with no BurnedInAnnotation attribute."""
    study_uid = uid(patient.patient_id, patient.study_date, "study")
    ds = slice_dataset(patient, SEQUENCES["T2"], study_uid, uid(study_uid, "capture", path.name), 91, 0,
                       phantom_volume("T2", 1, 32, 32)[0])
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.ImageType = list(image_type)
    ds.ConversionType = "WSD"
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def write_not_dicom(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("this is a text file, not a DICOM image\n", encoding="utf-8")
    return path


def write_truncated(path: Path, source: Path, keep: float = 0.6) -> Path:
    """``source`` cut short inside its pixel data."""
    data = source.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def with_patient(patient: PhantomPatient, **changes: str) -> PhantomPatient:
    return replace(patient, **changes)


def bundled_file(name: str) -> Path:
    """A file of pydicom's bundled test data (``pydicom`` and ``pydicom-data``), found without the network.

    ``MR_small.dcm`` (64 x 64 MR slice), ``emri_small.dcm`` (10-frame enhanced MR), ``MR_small_jpeg_ls_lossless.dcm``
    (JPEG-LS, which needs a decoder plug-in), ``MR_small_RLE.dcm`` (RLE, decoded by pydicom itself),
    ``MR_truncated.dcm``.
    """
    import pydicom.data

    local = Path(pydicom.data.__file__).parent / "test_files" / name
    if local.exists():
        return local
    try:  # pydicom-data's store, already on disk when the package is installed
        import data_store  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the installation
        raise FileNotFoundError(f"{name}: pydicom-data is not installed") from None
    store = Path(data_store.__file__).parent / "data" / name
    if not store.exists():
        raise FileNotFoundError(f"{name}: not in pydicom's bundled test data")
    return store
