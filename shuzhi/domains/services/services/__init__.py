"""Every write and business rule of public services, one module per capability:
``catalogue`` (items, bundles), ``applications`` (online applications, 一件事, department
decisions), ``licences`` (e-licences, e-seals, verification), ``benefits`` (免申即享)."""
