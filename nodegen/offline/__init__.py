"""The offline model `local-rules`: prompt rules + a catalogue of tested code recipes.

See nodegen/offline/recipes.py for the catalogue table (ids, triggers, fields, parameters).
"""

from nodegen.offline.model import LocalRulesModel
from nodegen.offline.recipes import CATALOGUE_IDS, RECIPES

__all__ = ["CATALOGUE_IDS", "RECIPES", "LocalRulesModel"]
