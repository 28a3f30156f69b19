"""Every number that shapes the sandbox company, in one place, with where its range comes from.

The company is "Brightwave Software", a European B2B software vendor selling annual subscriptions:
SMB teams work in HubSpot, mid-market and enterprise teams in Salesforce, and the sales team of an
acquired UK subsidiary ("Fernhill Systems") still works in Pipedrive.

Ranges quoted as "public range" are the commonly published B2B SaaS benchmarks (Bridge Group SDR
and AE metrics reports, HubSpot and Salesforce "State of Sales" reports, KeyBanc / OpenView SaaS
surveys, Eurostat / CIPD absence surveys, Bain's NPS material); the simulation aims inside them.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- Span of the world -----------------------------------------------------------------------------
HISTORY_MONTHS = 27  # the CRMs were rolled out about 27 months before as_of; the span starts at the
#                      first day of the fiscal quarter that contains that date
HORIZON_DAYS = 60  # the timeline is simulated this far past as_of, so `step` can reveal it
BUSINESS_HOURS_UTC = (7, 18)  # events happen between these hours, so a UTC date is unambiguous

# Bumped whenever the generator's output changes for the same seed, so a dataset saved by an older
# version is made again instead of reused.
GENERATOR_VERSION = 2
COMPANY_NAME = "Brightwave Software"
COMPANY_DOMAIN = "brightwave.example"
SUBSIDIARY_DOMAIN = "fernhill.example"  # the acquired UK company kept its mail domain
SALES_OPS_EMAIL = f"salesops@{COMPANY_DOMAIN}"  # integration user in Salesforce, not in the HR roster

CRMS = ("salesforce", "hubspot", "pipedrive")
SF, HS, PD = 0, 1, 2

# -- Segments (FORMAT/KPI docs: smb < 200 employees <= mid_market < 1000 <= enterprise) ----------
SMB_MAX_EMPLOYEES = 200
ENTERPRISE_MIN_EMPLOYEES = 1000
SEGMENTS = ("smb", "mid_market", "enterprise")

# -- Currencies -----------------------------------------------------------------------------------
CURRENCIES = ("EUR", "USD", "GBP")
EUR, USD, GBP = 0, 1, 2
# Starting rate_to_corporate (corporate currency per unit) and daily volatility of a mean-reverting
# walk: EUR/USD and EUR/GBP move a few percent a year ("mild drift").
FX_START = {"USD": 0.92, "GBP": 1.17}
FX_DAILY_VOL = 0.0035
FX_MEAN_REVERSION = 0.01

# -- Sales teams ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    """One team of the template org; `market` picks deal parameters, `manager` names the seat."""

    name: str
    market: str  # smb | mid_market | enterprise | strategic | subsidiary | sdr | leadership
    crm: int
    territory: str
    countries: tuple[str, ...]
    aes: int
    sdrs: int
    manager: str  # manager seat key; two teams sharing a key share a manager
    manager_level: str
    sdr_team: str | None = None  # where this team's SDR-sourced meetings come from


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("Sales Leadership", "leadership", SF, "All", (), 0, 0, "vp", "vp"),
    TeamSpec("SMB North", "smb", HS, "Nordics & Benelux", ("SE", "DK", "NO", "FI", "NL", "BE"),
             6, 0, "smb_north", "manager", "SDR SMB"),
    TeamSpec("SMB South", "smb", HS, "France & Southern Europe", ("FR", "ES", "IT", "PT"),
             5, 0, "smb_south", "manager", "SDR SMB"),
    TeamSpec("SDR SMB", "sdr", HS, "Europe", (), 0, 4, "sdr_smb", "junior manager"),
    TeamSpec("Mid-Market DACH", "mid_market", SF, "DACH", ("DE", "AT", "CH"),
             5, 0, "mm_dach", "manager", "SDR Mid-Market & Enterprise"),
    TeamSpec("Mid-Market West", "mid_market", SF, "Western Europe", ("FR", "NL", "BE", "GB", "US"),
             5, 0, "mm_west", "manager", "SDR Mid-Market & Enterprise"),
    TeamSpec("Enterprise", "enterprise", SF, "Europe & North America",
             ("DE", "FR", "GB", "NL", "SE", "US", "CH"), 4, 0, "enterprise", "senior manager",
             "SDR Mid-Market & Enterprise"),
    # A one-person team, managed by the Enterprise manager (one manager, two teams).
    TeamSpec("Strategic Accounts", "strategic", SF, "Named accounts", ("DE", "FR", "GB", "US"),
             1, 0, "enterprise", "senior manager"),
    TeamSpec("SDR Mid-Market & Enterprise", "sdr", SF, "Europe", (), 0, 4, "sdr_sf", "junior manager"),
    TeamSpec("Subsidiary UK", "subsidiary", PD, "UK & Ireland", ("GB", "GB", "GB", "IE"), 4, 0, "sub_uk",
             "manager"),  # country picks are uniform over the tuple: mostly GB, so mostly GBP
)
TINY_TEAMS: dict[str, tuple[int, int]] = {  # (aes, sdrs) per team in the tiny org
    "SMB North": (3, 0), "SMB South": (0, 0), "SDR SMB": (0, 1), "Mid-Market DACH": (2, 0),
    "Mid-Market West": (0, 0), "Enterprise": (0, 0), "Strategic Accounts": (1, 0),
    "SDR Mid-Market & Enterprise": (0, 1), "Subsidiary UK": (2, 0), "Sales Leadership": (0, 0),
}


@dataclass(frozen=True)
class SizeSpec:
    """How big a world is: org copies and per-rep rates."""

    org_copies: int  # the template org repeated (large companies have many teams per territory)
    tiny_org: bool
    deal_rate: float  # multiplier on new deals per AE per month
    activity_rate: float  # multiplier on activities per deal
    funnel_rate: float  # multiplier on leads that never become opportunities
    lazy_records: bool  # render records on demand instead of into lists


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec(1, True, 0.12, 0.6, 0.5, False),  # ~10 reps, ~300 deals
    "small": SizeSpec(1, False, 0.75, 1.0, 1.0, False),  # ~40 reps, ~5k deals
    "large": SizeSpec(90, False, 1.45, 0.2, 0.35, True),  # ~3,500 reps, ~1M deals
}

# -- HR ---------------------------------------------------------------------------------------------
# Annual exit hazards: public range for sales turnover is 25-35 % a year (SDRs highest), about half
# voluntary. Managers are stable here except for the built-in manager change.
EXIT_HAZARD = {"ae": 0.27, "sdr": 0.34, "manager": 0.0, "vp": 0.0}
VOLUNTARY_SHARE = 0.5
VACANCY_DAYS = (20, 75)  # time to refill a seat
GROWTH_SEATS_PER_YEAR = 0.07  # share of seats added per year (headcount growth)
PRIOR_TENURE_DAYS = (60, 1600)  # how long before the span the first occupants were hired
RAMP_DAYS = (45, 120)  # pipeline-building ramp; bookings lag it by the sales cycle, so new AEs
#                       reach 80 % of quota in about 3-6 months (the public range)
QUOTA_RAMP = (0.25, 0.5, 0.75)  # share of full quota in the first, second, third quarter of tenure
SDR_RAMP_DAYS = (30, 75)
LEVELS_AE = ("junior", "mid", "senior")
LEVEL_WEIGHTS = (0.35, 0.45, 0.2)

# Absences: ~25 days of planned leave a year (EU practice); unplanned sick days ~2-4 % of scheduled
# days (public absenteeism range), in short spells.
PLANNED_LEAVE_DAYS_PER_YEAR = 25
SICK_SPELLS_PER_YEAR = 3.2
SICK_SPELL_DAYS = (1, 4)

# eNPS: quarterly anonymous survey; public eNPS averages sit around +10..+30.
SURVEY_RESPONSE_RATE = 0.75
ENPS_SCORE_WEIGHTS = (1, 1, 1, 2, 3, 5, 9, 15, 21, 22, 20)  # scores 0..10, about +15 eNPS
MIN_SURVEY_RESPONDENTS = 5
SMALL_TEAM_THRESHOLD = 8

# -- Manager change with a built-in effect ---------------------------------------------------------
MANAGER_CHANGE_TEAM = "Mid-Market DACH"
MANAGER_CHANGE_DAYS_BEFORE_AS_OF = 300
# Absolute lifts of stage pass probabilities for deals of that team created on/after the change.
MANAGER_CHANGE_PASS_LIFT = (0.0, 0.12, 0.0, 0.12)  # qualification, demo, proposal, negotiation
MANAGER_CHANGE_ENPS_SHIFT = 2  # score points added to that team's answers after the change

# -- Deals ------------------------------------------------------------------------------------------
STAGES = ("qualification", "demo", "proposal", "negotiation", "closed_won", "closed_lost")
WON, LOST = 5, 6


@dataclass(frozen=True)
class MarketSpec:
    """Deal parameters of one market: public win rates 15-30 %, cycles weeks (SMB) to months (ENT)."""

    deals_per_ae_month: float
    amount_median_eur: float  # annual contract value
    amount_sigma: float
    pass_prob: tuple[float, float, float, float]  # qualification, demo, proposal, negotiation
    dwell_days: tuple[float, float, float, float]  # mean days in each stage
    sdr_share: float  # deals sourced by SDRs (the rest: AE-sourced, partner, events)
    employees: tuple[int, int]  # firmographic range of the accounts worked
    entry_mid_funnel: float  # deals created directly at demo or later


MARKETS: dict[str, MarketSpec] = {
    "smb": MarketSpec(8.0, 9000, 0.55, (0.58, 0.6, 0.72, 0.78), (9, 10, 12, 9), 0.5, (8, 199), 0.08),
    "mid_market": MarketSpec(3.6, 36000, 0.5, (0.55, 0.57, 0.7, 0.74), (18, 22, 25, 20), 0.4,
                             (200, 999), 0.06),
    "enterprise": MarketSpec(1.8, 110000, 0.5, (0.52, 0.56, 0.68, 0.72), (28, 36, 42, 36), 0.25,
                             (1000, 60000), 0.05),
    "strategic": MarketSpec(1.4, 160000, 0.45, (0.56, 0.6, 0.7, 0.74), (25, 35, 40, 35), 0.0,
                            (5000, 120000), 0.05),
    "subsidiary": MarketSpec(5.0, 12000, 0.55, (0.57, 0.62, 0.72, 0.77), (12, 14, 15, 11), 0.0,
                             (15, 900), 0.08),
}
TARGET_ATTAINMENT = 0.95  # quotas set from expected bookings: average attainment a bit under 100 %
FULL_QUARTERLY_QUOTA_EUR = {  # fallback when a market has no bookings to calibrate from
    "smb": 75000, "mid_market": 120000, "enterprise": 140000, "strategic": 160000,
    "subsidiary": 95000,
}
SDR_QUARTERLY_MEETINGS = 36
SDR_MONTHLY_MEETING_TARGET = 12  # `sdr_monthly_meeting_target` used for SDR ramp time
RAMP_SHARE = 0.8

SKIP_PROB = 0.07  # a deal jumps over the next stage
BACKWARD_PROB = 0.12  # share of non-passing proposal/negotiation deals that move back instead
REOPEN_PROB = 0.04  # lost deals reopened later
REOPEN_DAYS = (15, 90)
LOST_DWELL_FACTOR = (1.0, 3.0)  # lost deals linger before someone closes them
DWELL_SIGMA = 0.55
HUBSPOT_QUALIFIED_SUBSTAGE = 0.7  # HubSpot/Pipedrive deals that pass the second qualification stage
AMOUNT_CHANGE_AT_PROPOSAL = 0.35
DISCOUNT_AT_NEGOTIATION = 0.3
CLOSE_DATE_PUSH_PROB = 0.85  # a past-due close date gets pushed (the rest stay past due)
CLOSE_DATE_REESTIMATE = 0.1
TOUCHES_PER_OPEN_WEEK = 0.3  # edits of untracked fields (next step, description)
DEAL_DELETE_PROB = 0.012
DAILY_DELETES_AFTER_AS_OF_DAYS = 7  # guarantee a deletion per CRM on each of these days

# Renewals and expansions (annual contracts): public gross revenue retention ~85-92 %, net
# retention ~100-110 % for B2B SaaS.
RENEWAL_WIN_PROB = 0.88
RENEWAL_UPLIFT = (1.0, 1.1)
RENEWAL_LEAD_DAYS = (55, 90)
EXPANSION_PROB = 0.35
EXPANSION_SHARE = (0.3, 0.7)
EXPANSION_WIN_PROB = 0.55
# Customers signed before the span, per AE seat (their renewals recur): about a year and a half of
# wins, so the renewal book is already running when the CRM history starts.
EXISTING_CUSTOMERS_PER_AE = {"smb": 30, "mid_market": 10, "enterprise": 5, "strategic": 4, "subsidiary": 18}
SALES_OPS_RENEWAL_SHARE = 0.04  # Salesforce renewals created by automation, owned by sales ops

LEAD_CHANNELS = ("Inbound", "SDR outbound", "AE sourced", "Partner", "Event")
LOSS_REASONS = ("Price", "No decision", "Competitor", "Timing", "Missing feature", "Budget")
CHURN_REASONS = ("Churned - budget", "Churned - competitor")
COMPETITORS = ("Northwind", "Contoso", "Globex", "Initech")

# Stage default probabilities, each CRM's own.
SF_STAGES = ("Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review",
             "Closed Won", "Closed Lost")
SF_STAGE_PROB = (10, 20, 75, 90, 100, 0)
SF_FORECAST_CATEGORY = ("Pipeline", "Pipeline", "BestCase", "Forecast", "Closed", "Omitted")
HS_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
             "decisionmakerboughtin", "contractsent", "closedwon", "closedlost")
HS_STAGE_LABELS = ("Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
                   "Decision Maker Bought-In", "Contract Sent", "Closed Won", "Closed Lost")
HS_STAGE_PROB = ("0.2", "0.4", "0.6", "0.8", "0.9", "1.0", "0.0")
PD_STAGES = ("Lead In", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started")
PD_STAGE_PROB = (10, 20, 40, 60, 80)
# Canonical mapping the warehouse is expected to configure (revops.yml):
CANONICAL_STAGE_MAP = {
    "salesforce": dict(zip(SF_STAGES, STAGES, strict=True)),
    "hubspot": {"appointmentscheduled": "qualification", "qualifiedtobuy": "qualification",
                "presentationscheduled": "demo", "decisionmakerboughtin": "proposal",
                "contractsent": "negotiation", "closedwon": "closed_won", "closedlost": "closed_lost"},
    "pipedrive": {"Lead In": "qualification", "Contact Made": "qualification",
                  "Demo Scheduled": "demo", "Proposal Made": "proposal",
                  "Negotiations Started": "negotiation"},  # won / lost come from the deal status
}

# -- Lead funnel (public MQL->SQL conversion 13-40 %, SQL->opportunity ~50-70 %) -----------------
MQL_TO_SQL = 0.32
SQL_TO_OPP = 0.7
LEAD_ONLY_SHARE = 0.35  # contacts that never become MQL, relative to MQLs
LEAD_TO_MQL_DAYS = (0, 45)
MQL_TO_SQL_DAYS = (2, 25)
SQL_TO_OPP_DAYS = (1, 14)
CROSS_LISTED_LEADS = 0.35  # Salesforce leads that marketing also holds in HubSpot (same e-mail)
CROSS_LISTED_ACCOUNTS = 0.06  # Salesforce accounts also in HubSpot; Pipedrive orgs also in Salesforce
CONTACTS_PER_ACCOUNT = (1, 3)

# -- Activities (CRM-logged; public benchmarks put logged AE activity at tens per week) ----------
ACTIVITY_TYPES = ("call", "meeting", "email", "proposal_sent", "task", "note")
ACTIVITIES_PER_DEAL = {"smb": 9, "mid_market": 14, "enterprise": 20, "strategic": 24,
                       "subsidiary": 9, "renewal": 4}
ACTIVITY_MIX = {"call": 0.32, "email": 0.38, "meeting": 0.08, "task": 0.14, "note": 0.08}
SDR_TOUCHES_PER_MQL = 3.0
ACTIVITY_DELETE_PROB = 0.005
WEEKEND_WORK_SHARE = 0.04

# Activity type mapping per CRM (for the warehouse's single type list):
#   Salesforce Task.TaskSubtype Call -> call, Email -> email, Task with Type "Proposal" ->
#   proposal_sent, other Task -> task; Event -> meeting.
#   HubSpot calls/meetings/emails/notes/tasks -> call/meeting/email/note/task, except e-mails whose
#   custom property `activity_category` is "proposal_sent".
#   Pipedrive activity type call/meeting/email/task -> same, custom type "proposal" -> proposal_sent.
ACTIVITY_TYPE_MAP = {
    "salesforce": {"Call": "call", "Email": "email", "Proposal": "proposal_sent", "Task": "task",
                   "Event": "meeting"},
    "hubspot": {"calls": "call", "meetings": "meeting", "emails": "email", "notes": "note",
                "tasks": "task", "emails:proposal_sent": "proposal_sent"},
    "pipedrive": {"call": "call", "meeting": "meeting", "email": "email", "task": "task",
                  "proposal": "proposal_sent"},
}

# -- Schema drift: custom fields that appear this many days after the generation as_of ----------
DRIFT_DAYS = {"salesforce": 2, "hubspot": 4, "pipedrive": 6}

# -- Targets for the headline KPIs (targets.csv; company scope) --------------------------------
PIPELINE_COVERAGE_TARGET = 3.0  # public practice 2.4-4x

# -- Scenarios: optional changes to the simulated future (scenarios.py) ------------------------
# Each starts this many days after the generation as_of, so the as_of dataset is the unchanged
# company and a step forward shows the change.
SCENARIOS = ("conversion_drop",)
SCENARIO_START_DAYS = 1
# "conversion_drop": share of the qualification -> demo passes that still happen for deals entering
# qualification from the start day on (a pass probability of about 0.55-0.6 falls to about 0.15).
CONVERSION_DROP_KEEP = 0.25
SCENARIO_STREAM = 10  # the scenario's random stream: the seed's child after the simulation's ten
