"""Public data opening (数据开放): the portal, the CKAN-compatible API and the DCAT-AP export."""
