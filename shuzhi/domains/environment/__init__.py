"""Ecological sensing and clean water (生态环境感知 · 碧水提质), policy tasks 17 and 18.

The standards core lives in plain modules without Django imports: :mod:`.aqi` (air quality
index, 空气质量指数, HJ 633) and :mod:`.water` (surface water class, 地表水水质类别,
GB 3838-2002). :mod:`.api` exposes them as the two compute endpoints of the issue's API contracts.
"""
