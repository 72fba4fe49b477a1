"""A formatted quote speaks the reader's language: its labels come from the catalogs."""

from __future__ import annotations

from quoting_fixtures import quote

from partnerkit.quoting import format_quote


def test_a_quote_formatted_for_germany_shows_german_labels() -> None:
    lines = format_quote(quote(), "de_DE").replace("\xa0", " ").splitlines()
    assert lines[0] == "Angebot Q-2026-000001 (Revision 1): Entwurf"
    assert lines[1] == "Partner: p-1; Interessent: acme"
    assert lines[2] == "Kalkuliert am: 02.03.2026; Gültig bis: 01.04.2026"
    assert lines[3].endswith("3,50 $ pro Benutzer und Monat, 12 Monate")
    assert lines[4] == "   Listenpreis 10.500,00 $; Rabatt 3.150,00 $; Netto 7.350,00 $"
    assert "Partner-Nettopreis: 9.092,66 $" in lines
    assert "- Bonusmarge: 10 %, solange Registrierung DR-1 genehmigt ist" in lines
    assert not any("margin" in line or "Quote" in line for line in lines)
