"""Data catalogue (数据目录): datasets, fields, grades, share and open attributes, lineage."""
