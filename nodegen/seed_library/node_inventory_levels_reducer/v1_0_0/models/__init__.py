from .model_inventory_levels_input import ModelInventoryLevelsInput
from .model_inventory_levels_output import ModelInventoryLevelsOutput

__all__ = ["ModelInventoryLevelsInput", "ModelInventoryLevelsOutput"]
