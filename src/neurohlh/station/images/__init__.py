"""MR images in the reading station: DICOM import with de-identification, held-back files, header prefill.

Only de-identified copies are stored, in the station folder (never under a statically served URL). Readers see a
series by its station code, its sequence kind and a description built by the station from the series' technical
attributes; the coordinator's key (the per-patient date shift and the UID map) and the held-back files are shown to
the coordinator only.
"""
