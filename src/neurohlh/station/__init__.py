"""The reading station: blinded double reads of the MR data-collection sheet, adjudication, audit trail.

A Django application shipped in the package (``pip install "neurohlh[station]"``) and run with
``neurohlh station ...``. Importing this package does not import Django; :func:`neurohlh.station.bootstrap.setup`
configures it for one station folder.
"""
