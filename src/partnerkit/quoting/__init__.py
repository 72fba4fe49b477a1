"""Quoting: products and price books, the margin policy, quotes, orders, subscriptions, renewals.

A :class:`PriceBook` lists prices in one currency with effective dates and
volume bands; a :class:`MarginPolicy` turns a partner's tier benefits (or a
contract override), the reward margin of a deal registration that earns
it (approved, or its order started) and promotions into discounts, stacked
additively or compounding and capped. :func:`new_quote` and
:func:`quote_from_registration` price lines into a :class:`Quote` whose
totals are the exact sums of its lines; :func:`reprice` drops the reward
margin from open quotes once the registration no longer earns it. Accepted
quotes become an :class:`Order`, submitted orders a :class:`Subscription`,
and :func:`renewal_quote` prices the next term. Load products, books and the
policy from a program's ``[pricing]`` table with :func:`pricing_from_dict`.
"""

from partnerkit.core._public import publish as _publish
from partnerkit.quoting._catalog import (
    BILLING_UNIT_LABELS,
    BillingUnit,
    FxRates,
    PriceBook,
    Product,
    ProductPrice,
    VolumeBand,
    convert_price_book,
    select_price_book,
)
from partnerkit.quoting._config import (
    Pricing,
    margin_policy_from_dict,
    margin_policy_to_dict,
    pricing_from_dict,
    pricing_to_dict,
    read_margin_policy,
    read_pricing,
)
from partnerkit.quoting._events import (
    OrderStarted,
    OrderSubmitted,
    QuoteCreated,
    QuoteRepriced,
    QuoteStatusChanged,
    SubscriptionStarted,
)
from partnerkit.quoting._format import format_quote
from partnerkit.quoting._margin import (
    RULE_KIND_LABELS,
    AppliedRule,
    MarginDecision,
    MarginPolicy,
    Promotion,
    RuleKind,
    Stacking,
)
from partnerkit.quoting._order import (
    ORDER_STATUS_LABELS,
    Order,
    OrderChange,
    OrderStatus,
    Subscription,
    add_months,
    renewal_quote,
    renewals_due,
    start_order,
    submit_order,
    subscription_for_order,
)
from partnerkit.quoting._pricing import MAX_QUANTITY, MAX_TERM_MONTHS, LineRequest, QuoteLine
from partnerkit.quoting._quote import (
    QUOTE_STATUS_LABELS,
    Quote,
    QuoteChange,
    QuoteStatus,
    accept_quote,
    expire_quote,
    new_quote,
    quote_from_registration,
    reprice,
    revise_quote,
    send_quote,
)
from partnerkit.quoting._registration import (
    APPROVED,
    REWARD_STAGES,
    RegistrationLike,
    earns_reward_margin,
    is_approved,
)

__all__ = [
    "APPROVED",
    "BILLING_UNIT_LABELS",
    "MAX_QUANTITY",
    "MAX_TERM_MONTHS",
    "ORDER_STATUS_LABELS",
    "QUOTE_STATUS_LABELS",
    "REWARD_STAGES",
    "RULE_KIND_LABELS",
    "AppliedRule",
    "BillingUnit",
    "FxRates",
    "LineRequest",
    "MarginDecision",
    "MarginPolicy",
    "Order",
    "OrderChange",
    "OrderStarted",
    "OrderStatus",
    "OrderSubmitted",
    "PriceBook",
    "Pricing",
    "Product",
    "ProductPrice",
    "Promotion",
    "Quote",
    "QuoteChange",
    "QuoteCreated",
    "QuoteLine",
    "QuoteRepriced",
    "QuoteStatus",
    "QuoteStatusChanged",
    "RegistrationLike",
    "RuleKind",
    "Stacking",
    "Subscription",
    "SubscriptionStarted",
    "VolumeBand",
    "accept_quote",
    "add_months",
    "convert_price_book",
    "earns_reward_margin",
    "expire_quote",
    "format_quote",
    "is_approved",
    "margin_policy_from_dict",
    "margin_policy_to_dict",
    "new_quote",
    "pricing_from_dict",
    "pricing_to_dict",
    "quote_from_registration",
    "read_margin_policy",
    "read_pricing",
    "renewal_quote",
    "renewals_due",
    "reprice",
    "revise_quote",
    "select_price_book",
    "send_quote",
    "start_order",
    "submit_order",
    "subscription_for_order",
]

_publish(__name__, globals(), __all__)
