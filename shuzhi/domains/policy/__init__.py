"""Policy-document library and government openness (政策文件库 · 政务公开), policy task 25.

Documents carry the metadata of government information disclosure (索引号, 发布机构, 成文日期,
文号, 主题分类, 组配分类, 有效性, 公开方式); they are imported from text, HTML and .docx, searched
in Chinese through a pluggable engine (tantivy with rjieba segmentation here, OpenSearch for
scale), read in a reading view with an outline, and published as pages, feeds and an API.
"""
