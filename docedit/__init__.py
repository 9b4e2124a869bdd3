"""docedit: assemble documentaries non-linearly from YAML timelines.

Data flows one way: load -> model -> validate -> plan -> mix + picture -> encode -> sidecars.
Scripts call `docedit.validate.load_project` and the functions in `docedit.jobs.render`.
"""

__version__ = "0.1.0"
