"""Generated small lists: chart of accounts, classes, terms, payment methods, sales tax
codes, currencies.

Owns: the fixed, realistic content of those lists (a US service-and-product company's
chart of accounts, standard and date-driven terms...) and their pools/roles in ``Gen``.
Must not: create names or transactions (``names``, ``items``, ``sales``...).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.generate.gen import Gen

# (role, Name, AccountType, SpecialAccountType, AccountNumber, parent role)
CHART: tuple[tuple[str, str, str, str | None, str, str | None], ...] = (
    ("checking", "Checking", "Bank", None, "1000", None),
    ("savings", "Savings", "Bank", None, "1010", None),
    ("petty", "Petty Cash", "Bank", "PettyCash", "1020", None),
    ("ar", "Accounts Receivable", "AccountsReceivable", "AccountsReceivable", "1100", None),
    ("undeposited", "Undeposited Funds", "OtherCurrentAsset", "UndepositedFunds", "1200", None),
    ("inventory", "Inventory Asset", "OtherCurrentAsset", "InventoryAssets", "1300", None),
    ("prepaid", "Prepaid Expenses", "OtherCurrentAsset", None, "1400", None),
    ("fixed", "Furniture and Equipment", "FixedAsset", None, "1500", None),
    ("vehicles", "Vehicles", "FixedAsset", None, "1510", None),
    ("deposits", "Security Deposits", "OtherAsset", None, "1800", None),
    ("ap", "Accounts Payable", "AccountsPayable", "AccountsPayable", "2000", None),
    ("cc", "Company Visa", "CreditCard", None, "2050", None),
    ("amex", "American Express", "CreditCard", None, "2060", None),
    ("tax", "Sales Tax Payable", "OtherCurrentLiability", "SalesTaxPayable", "2200", None),
    ("payroll_liab", "Payroll Liabilities", "OtherCurrentLiability", None, "2100", None),
    ("loan", "Bank Loan", "LongTermLiability", None, "2700", None),
    ("opening", "Opening Balance Equity", "Equity", "OpeningBalanceEquity", "3000", None),
    ("owner", "Owner's Equity", "Equity", None, "3100", None),
    ("retained", "Retained Earnings", "Equity", "RetainedEarnings", "3900", None),
    ("income_services", "Services", "Income", None, "4000", None),
    ("income_products", "Product Sales", "Income", None, "4100", None),
    ("income_other", "Other Income", "OtherIncome", None, "4900", None),
    ("discounts", "Sales Discounts", "Income", None, "4950", None),
    ("cogs", "Cost of Goods Sold", "CostOfGoodsSold", "CostOfGoodsSold", "5000", None),
    ("subcontract", "Subcontractors", "CostOfGoodsSold", None, "5100", None),
    ("rent", "Rent Expense", "Expense", None, "6100", None),
    ("utilities", "Utilities", "Expense", None, "6200", None),
    ("electric", "Electric", "Expense", None, "6210", "utilities"),
    ("water", "Water", "Expense", None, "6220", "utilities"),
    ("office", "Office Supplies", "Expense", None, "6300", None),
    ("insurance", "Insurance Expense", "Expense", None, "6400", None),
    ("advertising", "Advertising and Promotion", "Expense", None, "6500", None),
    ("travel", "Travel Expense", "Expense", None, "6600", None),
    ("repairs", "Repairs and Maintenance", "Expense", None, "6700", None),
    ("fees", "Bank Service Charges", "Expense", None, "6800", None),
    ("professional", "Professional Fees", "Expense", None, "6900", None),
    ("interest", "Interest Expense", "OtherExpense", None, "7000", None),
)
EXPENSE_ROLES = (
    "rent",
    "electric",
    "water",
    "office",
    "insurance",
    "advertising",
    "travel",
    "repairs",
    "fees",
    "professional",
)
CASH_FLOW = {
    "Bank": "NotApplicable",
    "AccountsReceivable": "Operating",
    "OtherCurrentAsset": "Operating",
    "FixedAsset": "Investing",
    "OtherAsset": "Investing",
    "AccountsPayable": "Operating",
    "CreditCard": "Operating",
    "OtherCurrentLiability": "Operating",
    "LongTermLiability": "Financing",
    "Equity": "Financing",
}


def accounts(gen: Gen) -> None:
    for role, name, kind, special, number, parent in CHART:
        data: RecordData = {"Name": name, "FullName": name, "IsActive": True}
        if parent is not None:
            data["ParentRef"] = gen.account[parent]
            data["FullName"] = f"{gen.account[parent]['FullName']}:{name}"
        data["Sublevel"] = 0 if parent is None else 1
        data["AccountType"] = kind
        if special is not None:
            data["SpecialAccountType"] = special
        data["AccountNumber"] = number
        if kind == "Bank":
            data["BankNumber"] = str(gen.rng.randint(10_000_000, 99_999_999))
        data["Desc"] = name
        data["Balance"] = Decimal("0.00")
        data["TotalBalance"] = Decimal("0.00")
        data["CashFlowClassification"] = CASH_FLOW.get(kind, "None")
        record = gen.add("accounts", "AccountRet", data, gen.start)
        gen.account[role] = gen.pool(kind, record)
    gen.refs["expense"] = [gen.account[role] for role in EXPENSE_ROLES]
    gen.refs["bank"] = [gen.account["checking"], gen.account["savings"]]
    gen.refs["credit_card"] = [gen.account["cc"], gen.account["amex"]]


CLASSES = (
    ("Retail", None),
    ("Wholesale", None),
    ("Online", None),
    ("Services", None),
    ("Consulting", "Services"),
    ("Field Work", "Services"),
)
"""(Name, parent Name): classes are hierarchical (ClassRet has ParentRef/Sublevel)."""


def classes(gen: Gen, count: int) -> None:
    made: dict[str, RecordData] = {}
    for name, parent in CLASSES[: max(count, 1)]:
        data: RecordData = {"Name": name, "IsActive": True}
        if parent is not None:
            data["ParentRef"] = made[parent]
        record = gen.add("classes", "ClassRet", data, gen.list_created())
        made[name] = gen.pool("classes", record)


STANDARD_TERMS: tuple[tuple[str, int, int | None, str | None], ...] = (
    ("Due on receipt", 0, None, None),
    ("Net 15", 15, None, None),
    ("Net 30", 30, None, None),
    ("2% 10 Net 30", 30, 10, "2.0"),
    ("Net 60", 60, None, None),
)


def terms(gen: Gen) -> None:
    for name, due, discount_days, pct in STANDARD_TERMS:
        data: RecordData = {"Name": name, "IsActive": True, "StdDueDays": due}
        if discount_days is not None and pct is not None:
            data |= {"StdDiscountDays": discount_days, "DiscountPct": Decimal(pct)}
        record = gen.add("terms", "StandardTermsRet", data, gen.start)
        gen.pool("terms", record)
    data = {"Name": "Due 10th of month", "IsActive": True, "DayOfMonthDue": 10}
    data |= {"DueNextMonthDays": 5}
    gen.pool("terms", gen.add("terms", "DateDrivenTermsRet", data, gen.start))


PAYMENT_METHODS = (
    ("Cash", "Cash"),
    ("Check", "Check"),
    ("Visa", "Visa"),
    ("MasterCard", "MasterCard"),
    ("American Express", "AmericanExpress"),
    ("Discover", "Discover"),
    ("E-Check", "ECheck"),
)


def payment_methods(gen: Gen) -> None:
    for name, kind in PAYMENT_METHODS:
        data: RecordData = {"Name": name, "IsActive": True, "PaymentMethodType": kind}
        gen.pool("payment_methods", gen.add("payment_methods", "PaymentMethodRet", data, gen.start))


def sales_tax_codes(gen: Gen) -> None:
    for name, taxable, desc in (
        ("Tax", True, "Taxable Sales"),
        ("Non", False, "Non-Taxable Sales"),
    ):
        data: RecordData = {"Name": name, "IsActive": True, "IsTaxable": taxable, "Desc": desc}
        record = gen.add("sales_tax_codes", "SalesTaxCodeRet", data, gen.start)
        gen.refs.setdefault("tax_code", []).append(gen.ref(record))
        gen.account[f"code_{name}"] = gen.ref(record)


CURRENCIES = (
    ("US Dollar", "USD", None),
    ("Canadian Dollar", "CAD", "0.7312"),
    ("Euro", "EUR", "1.0845"),
    ("British Pound Sterling", "GBP", "1.2710"),
    ("Mexican Peso", "MXN", "0.0583"),
)


def currencies(gen: Gen) -> None:
    for name, code, rate in CURRENCIES:
        data: RecordData = {"Name": name, "IsActive": True, "CurrencyCode": code}
        data["CurrencyFormat"] = {
            "ThousandSeparator": "Comma",
            "ThousandSeparatorGrouping": "XX_XXX_XXX",
            "DecimalPlaces": "2",
            "DecimalSeparator": "Period",
        }
        data["IsUserDefinedCurrency"] = False
        if rate is not None:
            data["ExchangeRate"] = Decimal(rate)
            data["AsOfDate"] = (gen.now - timedelta(days=gen.rng.randint(0, 30))).date()
        gen.pool("currencies", gen.add("currencies", "CurrencyRet", data, gen.start))
