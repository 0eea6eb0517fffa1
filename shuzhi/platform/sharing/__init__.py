"""Data sharing between departments (数据共享): requests, approvals, grants, the data API."""
