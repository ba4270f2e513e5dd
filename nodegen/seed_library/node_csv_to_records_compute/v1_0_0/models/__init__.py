from .model_csv_to_records_input import ModelCsvToRecordsInput
from .model_csv_to_records_output import ModelCsvToRecordsOutput

__all__ = ["ModelCsvToRecordsInput", "ModelCsvToRecordsOutput"]
