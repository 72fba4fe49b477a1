"""English labels (gettext msgids) of address fields, by the label keys of the metadata."""

from __future__ import annotations

from partnerkit.locale import N_

__all__ = ["FIELD_LABELS", "LABELS", "label_key"]

#: Label texts by label key. Keys are Google's name types (``zip``, ``state``, ``do_si``,
#: ...) for the fields whose name depends on the country, and field names for the others.
LABELS: dict[str, str] = {
    "recipient": N_("Name"),
    "organization": N_("Organization"),
    "address_line1": N_("Address line 1"),
    "address_line2": N_("Address line 2"),
    "sorting_code": N_("Sorting code"),
    "country": N_("Country"),
    # city (locality) and city area (dependent locality)
    "city": N_("City"),
    "post_town": N_("Post town"),
    "suburb": N_("Suburb"),
    "district": N_("District"),
    "neighborhood": N_("Neighborhood"),
    "townland": N_("Townland"),
    "village_township": N_("Village/Township"),
    # country area
    "area": N_("Area"),
    "county": N_("County"),
    "department": N_("Department"),
    "do_si": N_("Do/Si"),
    "emirate": N_("Emirate"),
    "island": N_("Island"),
    "oblast": N_("Oblast"),
    "parish": N_("Parish"),
    "prefecture": N_("Prefecture"),
    "province": N_("Province"),
    "state": N_("State"),
    # postal code
    "eircode": N_("Eircode"),
    "pin": N_("PIN code"),
    "postal": N_("Postal code"),
    "zip": N_("ZIP code"),
}

#: The fields whose label does not depend on the country.
FIELD_LABELS = frozenset({"recipient", "organization", "address_line1", "address_line2"})


def label_key(field: str, area_type: str, city_type: str, city_area_type: str, postal: str) -> str:
    """The label key of ``field`` given a country's name types."""
    if field == "country_area":
        return area_type
    if field == "city":
        return city_type
    if field == "city_area":
        return city_area_type
    if field == "postal_code":
        return postal
    return field
