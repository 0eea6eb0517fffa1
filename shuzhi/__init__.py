"""Shuzhi (数治): an open-source digital-government platform for Chinese cities."""
