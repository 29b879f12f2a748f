import pytest
from django.core.exceptions import ValidationError

from listings.validators import patent_check_char, validate_patent_number
from market.validators import normalize_credit_code, validate_credit_code, validate_region_code
from tests.factories import credit_code

# A real, published code: 北京大学's unified social credit code.
PKU = "12100000400000624D"


def test_credit_code_accepts_real_code():
    validate_credit_code(PKU)


def test_credit_code_accepts_generated_codes():
    for n in range(1, 50):
        validate_credit_code(credit_code(n))


def test_credit_code_rejects_wrong_check_character_with_expected_one():
    bad = PKU[:-1] + ("E" if PKU[-1] != "E" else "F")
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(bad)
    assert exc.value.code == "credit_code_checksum"
    assert "校验位" in exc.value.messages[0]
    assert "“D”" in exc.value.messages[0]


def test_credit_code_rejects_wrong_length():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91420100MA4K")
    assert "18位" in exc.value.messages[0]


def test_credit_code_rejects_forbidden_letters():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91420100MA4KOOOO0X")
    assert exc.value.code in {"credit_code_format", "credit_code_checksum"}


def test_credit_code_normalizes_full_width_and_spaces():
    assert normalize_credit_code("１２１０００００４０００００６２４ｄ ") == PKU


def test_region_code_requires_six_digits_and_known_province():
    validate_region_code("420100")
    with pytest.raises(ValidationError):
        validate_region_code("4201")
    with pytest.raises(ValidationError):
        validate_region_code("990100")


def test_patent_number_accepts_application_and_publication_numbers():
    digits = "201910123456"
    number = f"ZL{digits}.{patent_check_char(digits)}"
    validate_patent_number(number)
    validate_patent_number(number.replace("ZL", "").replace(".", ""))
    validate_patent_number("CN110123456A")
    validate_patent_number("ｚｌ " + digits + "." + patent_check_char(digits))


def test_patent_number_rejects_wrong_check_digit():
    digits = "201910123456"
    wrong = str((int(patent_check_char(digits).replace("X", "10")) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        validate_patent_number(f"ZL{digits}.{wrong}")
    assert exc.value.code == "patent_checksum"


def test_patent_number_rejects_garbage():
    with pytest.raises(ValidationError) as exc:
        validate_patent_number("专利123")
    assert exc.value.code == "patent_format"


def test_patent_check_char_matches_published_numbers():
    # Application numbers as printed on certificates, one after 2003 and one before.
    assert patent_check_char("201710601862") == "3"
    assert patent_check_char("95115608") == "X"
    validate_patent_number("ZL95115608.X")


def _gb32100_check(first17: str) -> str:
    """GB 32100-2015 check character, computed here from the standard's own definition
    (weights 3^i mod 31 over the 31-character alphabet), independently of the library."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return alphabet[(31 - total % 31) % 31]


@pytest.mark.parametrize(
    "code",
    [PKU, "91420100" + "MA4K" + "0000" + "1", credit_code(1), credit_code(99999, "110105")],
)
def test_credit_code_check_character_follows_gb32100(code):
    first17 = code[:17]
    good = first17 + _gb32100_check(first17)
    validate_credit_code(good)
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong != good[-1]:
            with pytest.raises(ValidationError):
                validate_credit_code(first17 + wrong)
