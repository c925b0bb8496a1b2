"""ScheduleKeyDeletion's waiting period, which moto does not check.

"PendingWindowInDays ... If you include a value, it must be between 7 and 30, inclusive. If you do not include a
value, it defaults to 30." (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html;
botocore's model only says 1-365). AWS's answer to a value outside 7-30, as real KMS returned it [obs]:
"ValidationException: PendingWindowInDays must be between 7 and 30" (https://github.com/Skyscanner/kms-issuer/issues/8).
Checked after authorization and the key state (the order is not documented).
"""

from __future__ import annotations

from moto.kms.responses import KmsResponse

from ..hooks import AwsError
from . import Method, around, params

WINDOW_DAYS = (7, 30)


@around("ScheduleKeyDeletion")
def schedule_key_deletion(response: KmsResponse, moto_method: Method) -> str:
    days = params(response).get("PendingWindowInDays")
    low, high = WINDOW_DAYS
    if days is not None and not low <= days <= high:
        raise AwsError("ValidationException", f"PendingWindowInDays must be between {low} and {high}")
    return moto_method(response)
