"""Technology brokers (技术经纪人), their transfer institutions (技术转移机构), and the deals,
contracts, commission ledgers and payments they work on. One module per concern."""

from brokers.models.bidding import Bid, BidderQualification, Lot, TradeSettings
from brokers.models.commissions import CommissionLine, CommissionRule
from brokers.models.contracts import (
    Contract,
    ContractDeduction,
)
from brokers.models.deals import Deal, DealBroker, DealDocument, DealNotice, NoticeObjection
from brokers.models.directory import BrokerRating, TransferInstitution
from brokers.models.payments import Payment
from brokers.models.people import Assignment, Broker, BrokerMessage

__all__ = [
    "Assignment",
    "Bid",
    "BidderQualification",
    "Broker",
    "BrokerMessage",
    "BrokerRating",
    "CommissionLine",
    "CommissionRule",
    "Contract",
    "ContractDeduction",
    "Deal",
    "DealBroker",
    "DealDocument",
    "DealNotice",
    "Lot",
    "NoticeObjection",
    "Payment",
    "TradeSettings",
    "TransferInstitution",
]
