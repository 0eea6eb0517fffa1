"""Security kernel: SM2/SM3/SM4, field encryption, masking, grades and identifier checks."""
