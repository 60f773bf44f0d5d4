"""Generated name lists: customers with jobs, vendors, employees, other names.

Owns: Faker-built people and companies, with names unique across the four name lists (one
QuickBooks namespace, see ``refs.ENTITIES``) and within QuickBooks' maxLength (41).
Must not: create transactions; balances are filled later (``balances``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.generate.gen import ZERO, Gen, short

NAME_MAX = 41
JOB_KINDS = ("Remodel", "Repair", "Install", "Maintenance", "Consulting", "Design", "Audit")


def unique_name(gen: Gen, base: str, used: set[str]) -> str:
    """``base`` cut to 41 characters, with a numeric suffix when already taken."""
    name = short(base, NAME_MAX)
    suffix = 2
    while name.casefold() in used:
        tail = f" {suffix}"
        name = short(base, NAME_MAX - len(tail)) + tail
        suffix += 1
    used.add(name.casefold())
    return name


def address(gen: Gen, country: bool = True) -> RecordData:
    data: RecordData = {
        "Addr1": short(gen.fk("street_address"), 41),
        "City": short(gen.fk("city"), 31),
        "State": gen.fk("state_abbr"),
        "PostalCode": gen.fk("postcode"),
    }
    if country:
        data["Country"] = "US"
    return data


def customers(gen: Gen, count: int, used: set[str]) -> None:
    for _ in range(count):
        parent = _customer(gen, used)
        if gen.chance(0.3):
            for _ in range(gen.rng.randint(1, 3)):
                _job(gen, parent, used)


def _customer(gen: Gen, used: set[str]) -> RecordData:
    first, last = gen.fk("first_name"), gen.fk("last_name")
    is_company = gen.chance(0.6)
    company = short(gen.fk("company", 2000), NAME_MAX) if is_company else None
    name = unique_name(gen, company or f"{last}, {first}", used)
    bill = address(gen)
    data: RecordData = {"Name": name, "FullName": name, "IsActive": True}
    data["Sublevel"] = 0
    if company:
        data["CompanyName"] = company
    data |= {"FirstName": short(first, 25), "LastName": short(last, 25), "BillAddress": bill}
    if gen.chance(0.5):
        data["ShipAddress"] = bill
    data |= {"Phone": short(gen.fk("phone_number"), 21), "Email": gen.fk("email")}
    data["Contact"] = short(f"{first} {last}", 41)
    data["TermsRef"] = gen.pick("terms")
    data |= {"Balance": ZERO, "TotalBalance": ZERO}
    data["SalesTaxCodeRef"] = gen.account["code_Tax" if gen.chance(0.8) else "code_Non"]
    data["ItemSalesTaxRef"] = gen.pick("sales_tax")
    data["AccountNumber"] = str(gen.rng.randint(10000, 99999))
    data["CreditLimit"] = Decimal(gen.rng.choice((1000, 5000, 10000, 25000))).quantize(ZERO)
    data["PreferredPaymentMethodRef"] = gen.pick("payment_methods")
    data["JobStatus"] = "None"
    record = gen.add("customers", "CustomerRet", data, gen.list_created())
    ref = gen.pool("customers", record)
    gen.refs.setdefault("top_customers", []).append(ref)
    return ref


def _job(gen: Gen, parent: RecordData, used: set[str]) -> None:
    kind = gen.choice(JOB_KINDS)
    base = f"{kind} {gen.fk('street_name')}"
    name = short(base, NAME_MAX)
    full = f"{parent['FullName']}:{name}"
    if full.casefold() in used:
        return
    used.add(full.casefold())
    customer = gen.company.get("customers", str(parent["ListID"])).data
    data: RecordData = {"Name": name, "FullName": full, "IsActive": True}
    data |= {"ParentRef": parent, "Sublevel": 1, "BillAddress": customer["BillAddress"]}
    data |= {"TermsRef": customer["TermsRef"], "Balance": ZERO, "TotalBalance": ZERO}
    data["SalesTaxCodeRef"] = customer["SalesTaxCodeRef"]
    data["ItemSalesTaxRef"] = customer["ItemSalesTaxRef"]
    data["JobStatus"] = gen.choice(("Awarded", "InProgress", "Closed", "Pending"))
    start = gen.day()
    data["JobStartDate"] = start
    data["JobDesc"] = short(f"{kind} job", 99)
    created = customer["TimeCreated"]
    assert isinstance(created, datetime)
    when = max(created, gen.list_created())
    gen.pool("customers", gen.add("customers", "CustomerRet", data, when))


def tax_agency(gen: Gen, used: set[str]) -> None:
    """The vendor sales tax is paid to (sales tax items name it as TaxVendorRef)."""
    name = unique_name(gen, "State Board of Equalization", used)
    agency: RecordData = {"Name": name, "IsActive": True, "IsTaxAgency": True}
    agency |= {"CompanyName": name, "VendorAddress": address(gen), "Balance": ZERO}
    agency["IsSalesTaxAgency"] = True
    gen.account["tax_agency"] = gen.ref(gen.add("vendors", "VendorRet", agency, gen.start))


def vendors(gen: Gen, count: int, used: set[str]) -> None:
    for _ in range(count):
        company = short(gen.fk("company", 2000), NAME_MAX)
        name = unique_name(gen, company, used)
        data: RecordData = {"Name": name, "IsActive": True, "CompanyName": company}
        data |= {
            "FirstName": short(gen.fk("first_name"), 25),
            "LastName": short(gen.fk("last_name"), 25),
        }
        data |= {"VendorAddress": address(gen), "Phone": short(gen.fk("phone_number"), 21)}
        data |= {"Email": gen.fk("company_email"), "NameOnCheck": company}
        data |= {"AccountNumber": str(gen.rng.randint(100000, 999999))}
        data |= {"TermsRef": gen.pick("terms"), "IsVendorEligibleFor1099": gen.chance(0.2)}
        data["Balance"] = ZERO
        gen.pool("vendors", gen.add("vendors", "VendorRet", data, gen.list_created()))


def employees(gen: Gen, count: int, used: set[str]) -> None:
    for _ in range(count):
        first, last = gen.fk("first_name"), gen.fk("last_name")
        name = unique_name(gen, f"{first} {last}", used)
        data: RecordData = {"Name": name, "IsActive": True, "FirstName": short(first, 25)}
        data |= {"LastName": short(last, 25), "JobTitle": short(gen.fk("job"), 41)}
        data |= {"EmployeeAddress": address(gen), "PrintAs": name}
        data |= {"Phone": short(gen.fk("phone_number"), 21), "Email": gen.fk("email")}
        data |= {"EmployeeType": "Regular", "Gender": gen.choice(("Male", "Female"))}
        data["HiredDate"] = gen.day()
        gen.pool("employees", gen.add("employees", "EmployeeRet", data, gen.list_created()))


def other_names(gen: Gen, count: int, used: set[str]) -> None:
    for _ in range(count):
        first, last = gen.fk("first_name"), gen.fk("last_name")
        name = unique_name(
            gen, f"{first} {last} (owner)" if gen.chance(0.3) else gen.fk("company", 2000), used
        )
        data: RecordData = {"Name": name, "IsActive": True}
        data |= {"FirstName": short(first, 25), "LastName": short(last, 25)}
        data |= {"OtherNameAddress": address(gen), "Phone": short(gen.fk("phone_number"), 21)}
        gen.pool("other_names", gen.add("other_names", "OtherNameRet", data, gen.list_created()))
