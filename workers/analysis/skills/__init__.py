"""ESCO skill tags: from passion themes via reviewed links, and from the text of a job history.

Pure Python and numpy; imports neither flask nor celery. ESCO, © European Union, CC BY 4.0.
"""

from workers.analysis.skills.extract import extract_skills
from workers.analysis.skills.tag import clear_cache, tag_skills
from workers.analysis.skills.version import version

__all__ = ["clear_cache", "extract_skills", "tag_skills", "version"]
