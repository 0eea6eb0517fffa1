"""Authorised operation of public data (公共数据授权运营): vetted operators, sandboxed aggregates."""
