"""Portal sections (门户栏目): what each module shows a resident or an enterprise about themself.

The citizen portal and the enterprise portal (政企通) live in the services domain, but "my credit
class", "my cases" and "my carbon account" belong to other domains, which the services domain may
not import. Each domain registers its sections here in ``AppConfig.ready()`` (a registry, the way
the loop's task types work); a portal lists the slots it expects and shows "not yet available"
for a slot no module fills.
"""
