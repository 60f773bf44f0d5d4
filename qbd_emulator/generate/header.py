"""The generated company's CompanyRet and PreferencesRet, and its file path.

Owns: company-level values (name, addresses, fiscal year, EIN) and the preferences a
US QuickBooks file with inventory, estimates, sales orders and sales tax would report.
Must not: create list or transaction records.
"""

from __future__ import annotations

from decimal import Decimal

from connector.qbxml.values import RecordData
from qbd_emulator.generate.gen import Gen, short
from qbd_emulator.generate.names import address

FILE_DIR = "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\"


def company_info(gen: Gen, name: str) -> RecordData:
    where = address(gen)
    data: RecordData = {"IsSampleCompany": False, "CompanyName": name}
    data |= {"LegalCompanyName": f"{name} LLC", "Address": where, "LegalAddress": where}
    data |= {"Phone": short(gen.fake.phone_number(), 21), "Email": gen.fake.company_email()}
    data |= {"CompanyWebSite": f"www.{gen.fake.domain_name()}"}
    data |= {"FirstMonthFiscalYear": "January", "FirstMonthIncomeTaxYear": "January"}
    data |= {"EIN": f"{gen.rng.randint(10, 99)}-{gen.rng.randint(1000000, 9999999)}"}
    data["TaxForm"] = "Form1120S"
    return data


def file_path(name: str) -> str:
    safe = "".join(c for c in name if c.isalnum() or c in " -_").strip() or "Company"
    return f"{FILE_DIR}{safe}.qbw"


def preferences(gen: Gen) -> RecordData:
    accounting: RecordData = {"IsUsingAccountNumbers": True, "IsRequiringAccounts": True}
    accounting |= {"IsUsingClassTracking": True, "IsUsingAuditTrail": True}
    accounting["IsAssigningJournalEntryNumbers"] = True
    finance: RecordData = {"AnnualInterestRate": Decimal("0.0"), "MinFinanceCharge": Decimal("0")}
    finance |= {"GracePeriod": 0, "IsAssessingForOverdueCharges": False}
    finance |= {"CalculateChargesFrom": "DueDate", "IsMarkedToBePrinted": False}
    sales_tax: RecordData = {"DefaultItemSalesTaxRef": gen.refs["sales_tax"][0]}
    sales_tax |= {"PaySalesTax": "Monthly"}
    sales_tax["DefaultTaxableSalesTaxCodeRef"] = gen.account["code_Tax"]
    sales_tax["DefaultNonTaxableSalesTaxCodeRef"] = gen.account["code_Non"]
    return {
        "AccountingPreferences": accounting,
        "FinanceChargePreferences": finance,
        "JobsAndEstimatesPreferences": {
            "IsUsingEstimates": True,
            "IsUsingProgressInvoicing": False,
            "IsPrintingItemsWithZeroAmounts": False,
        },
        "MultiCurrencyPreferences": {"IsMultiCurrencyOn": False},
        "MultiLocationInventoryPreferences": {
            "IsMultiLocationInventoryAvailable": False,
            "IsMultiLocationInventoryEnabled": False,
        },
        "PurchasesAndVendorsPreferences": {
            "IsUsingInventory": True,
            "DaysBillsAreDue": 10,
            "IsAutomaticallyUsingDiscounts": False,
        },
        "ReportsPreferences": {
            "AgingReportBasis": "AgeFromDueDate",
            "SummaryReportBasis": "Accrual",
        },
        "SalesAndCustomersPreferences": {
            "IsTrackingReimbursedExpensesAsIncome": False,
            "IsAutoApplyingPayments": True,
            "PriceLevels": {"IsUsingPriceLevels": False, "IsRoundingSalesPriceUp": False},
        },
        "SalesTaxPreferences": sales_tax,
        "TimeTrackingPreferences": {"FirstDayOfWeek": "Monday"},
        "CurrentAppAccessRights": {
            "IsAutomaticLoginAllowed": False,
            "IsPersonalDataAccessAllowed": False,
        },
        "ItemsAndInventoryPreferences": {
            "EnhancedInventoryReceivingEnabled": False,
            "IsTrackingSerialOrLotNumber": "None",
            "FIFOEnabled": False,
            "IsRSBEnabled": False,
            "IsBarcodeEnabled": gen.chance(0.3),
        },
    }
