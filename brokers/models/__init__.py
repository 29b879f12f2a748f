"""Technology brokers (技术经纪人), their transfer institutions (技术转移机构), and the deals,
contracts, commission ledgers and payments they work on. One module per concern."""

from brokers.models.bidding import Bid, BidderQualification, Lot, TradeSettings
from brokers.models.contracts import Contract
from brokers.models.deals import Deal, DealBroker, DealDocument, DealNotice, NoticeObjection
from brokers.models.payments import Payment
from brokers.models.people import Assignment, Broker, BrokerMessage

__all__ = [
    "Assignment",
    "Broker",
    "BrokerMessage",
    "Contract",
    "Deal",
    "DealBroker",
    "DealDocument",
    "DealNotice",
    "NoticeObjection",
    "Payment",
    "Bid",
    "BidderQualification",
    "Lot",
    "TradeSettings",
]
