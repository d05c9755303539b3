"""Certificate writes, the dashboard's queries, PKI officer rules and expiry reminders."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..core import search
from ..core.changes import PROVING, REFERENCE, cached
from ..core.pagination import SortColumn, count_of
from ..core.permissions import Role, is_manager
from ..core.registry import functions
from ..core.services import Refused
from ..core.time import format_london, utcnow
from ..directory import choices
from ..directory.models import Environment, MarketRole, Organisation, OrgKind, User
from ..extensions import db
from ..mail.services import email_text, queue
from .models import (
    LATER_DAYS,
    REMINDER_DAYS,
    SOON_DAYS,
    Certificate,
    Kind,
    OfficerRole,
    PkiOfficer,
    ReminderSent,
    Scheme,
    Status,
)
from .permissions import can_keep_certificates, can_manage_certificates
from .permissions import visible_certificates as visible

# Every organisation testing in an environment needs both DIP certificates there (EAP §10.2).
NEEDED_KINDS = (Kind.DIP_TLS, Kind.DIP_JWS)
SINGLE_OFFICERS = (OfficerRole.NOMINATING_OFFICER, OfficerRole.SRO, OfficerRole.ARO)


# Queries ---------------------------------------------------------------------------------------

def _statuses(now):
    """(status, condition) in the order a certificate's status is decided. After "replaced" the conditions are on
    valid_to only and nested (each holds wherever the one before it does), so a status's count among the current
    certificates is its condition's count less the one before's."""
    return [(Status.REPLACED, Certificate.replaced),
            (Status.EXPIRED, Certificate.valid_to < now),
            (Status.WITHIN_30, Certificate.valid_to <= now + timedelta(days=SOON_DAYS)),
            (Status.WITHIN_90, Certificate.valid_to <= now + timedelta(days=LATER_DAYS)),
            (Status.VALID, true())]


def status_column(now):
    *decided, (last, _) = _statuses(now)
    return case(*((condition, status.value) for status, condition in decided), else_=last.value).label("status")


# The dashboard's sortable columns: the soonest expiry first by default (a page's edges: its rows' columns).
DASHBOARD_SORTS = {
    "expires": SortColumn([Certificate.valid_to, Certificate.id]),
    "kind": SortColumn([Certificate.kind, Certificate.valid_to, Certificate.id]),
    "mpid": SortColumn([Certificate.mpid, Certificate.valid_to, Certificate.id]),
}


def dashboard_query(user, now, **filters):
    """(certificate, status) rows the user may see, filtered (_dashboard_filtered), soonest expiry first."""
    status_col = status_column(now)
    return _dashboard_filtered(select(Certificate, status_col)
                               .options(joinedload(Certificate.organisation), joinedload(Certificate.environment),
                                        joinedload(Certificate.market_role))
                               .order_by(Certificate.valid_to, Certificate.id), status_col, user, **filters)


# What the dashboard's page shows of a certificate, read as columns (its names from the reference data kept per
# process).
_DASHBOARD_COLUMNS = (Certificate.id, Certificate.valid_to, Certificate.organisation_id, Certificate.environment_id,
                      Certificate.kind, Certificate.mpid, Certificate.subject, MarketRole.code.label("market_role"))


def dashboard_rows(user, now, **filters):
    """The dashboard's list as the page shows it: plain rows of _DASHBOARD_COLUMNS and the status (see
    dashboard_lines), filtered as dashboard_query."""
    status_col = status_column(now)
    return _dashboard_filtered(select(*_DASHBOARD_COLUMNS, status_col)
                               .outerjoin(MarketRole, MarketRole.id == Certificate.market_role_id), status_col, user,
                               **filters)


@dataclass(frozen=True)
class DashboardRow:
    """One line of the dashboard."""
    id: int
    valid_to: datetime
    organisation: str
    environment: str
    kind: Kind
    mpid: str
    market_role: str | None
    subject: str
    status: str


def dashboard_lines(rows):
    """DashboardRow of each row of dashboard_rows, the environments and organisations named from directory.choices."""
    environments, organisations = dict(choices.environments()), dict(choices.organisations())
    return [DashboardRow(row.id, row.valid_to, organisations[row.organisation_id], environments[row.environment_id],
                         row.kind, row.mpid, row.market_role, row.subject, row.status) for row in rows]


def _dashboard_filtered(query, status_col, user, organisation_id=None, environment_id=None, kind=None, status=None):
    """The dashboard's query as the user may see it, narrowed by its filters."""
    query = visible(query, user)
    if organisation_id:
        query = query.where(Certificate.organisation_id == organisation_id)
    if environment_id:
        query = query.where(Certificate.environment_id == environment_id)
    if kind:
        query = query.where(Certificate.kind == kind)
    if status:
        query = query.where(status_col == status)
    return query


def status_counts(user, now):
    """{status: count} of the certificates the user may see: each a range of an index, however many there are."""
    (replaced, is_replaced), *current = _statuses(now)

    def count(*conditions):
        return visible(select(func.count()).select_from(Certificate), user).where(*conditions).scalar_subquery()

    counted = db.session.execute(select(count(is_replaced), *(count(~Certificate.replaced, condition)
                                                              for _, condition in current))).one()
    counts, before = {replaced: counted[0]}, 0
    for (status, _), upto in zip(current, counted[1:]):
        counts[status], before = upto - before, upto
    return counts


def _reader_of(user):
    """Whose certificates the user sees, as the copies kept per process are keyed: every organisation's (None, a
    Release Manager) or the user's organisation's (visible_certificates)."""
    return None if is_manager(user) else user.organisation_id


def counts(user, now):
    """status_counts of what the user sees at `now`, read once per process per reader and again when a certificate
    changes (PROVING) or time alone moves one to another status (the next such moment, read with them)."""
    found, _read_at, _until = cached(_load_counts, PROVING, key=(_reader_of(user),), using=(now,),
                                     fresh=lambda copy: copy[1] <= now < copy[2])
    return found


def kept_listing(load, user, now, key=()):
    """load(reader, now, *key): what a list of the certificates the user sees shows (plain values), kept per process
    per reader (whose certificates the user sees) and key while no certificate and no name changes (PROVING,
    REFERENCE) and time alone moves none of the reader's to another status (the API's list)."""
    found, _read_at, _until = cached(_load_listing, PROVING, REFERENCE, key=(load, _reader_of(user), *key),
                                     using=(now,), fresh=lambda copy: copy[1] <= now < copy[2])
    return found


def _load_listing(load, organisation_id, *key_and_now):
    *key, now = key_and_now
    reader = _Reader(organisation_id)
    return load(reader, now, *key), now, _next_status_change(reader, now)


def _load_counts(organisation_id, now):
    reader = _Reader(organisation_id)
    return status_counts(reader, now), now, _next_status_change(reader, now)


def _next_status_change(reader, now):
    """The next moment time alone moves a current certificate the reader sees to another status: it expires, or comes
    within SOON_DAYS or LATER_DAYS of its expiry (datetime.max when none will)."""
    def first(after):
        return visible(select(func.min(Certificate.valid_to))
                       .where(~Certificate.replaced, Certificate.valid_to >= after), reader).scalar_subquery()
    bands = (timedelta(0), timedelta(days=SOON_DAYS), timedelta(days=LATER_DAYS))
    found = db.session.execute(select(*(first(now + band) for band in bands))).one()
    return min((valid_to - band for valid_to, band in zip(found, bands) if valid_to), default=datetime.max)


def dashboard_count(user, now, filters):
    """How many certificates the dashboard lists with these filters, as the pager counts them (count_of): kept per
    process per reader and filters (the last few asked) while no certificate changes; counted afresh when filtered
    by a status that time alone changes (expired, expiring)."""
    if filters.get("status") not in (None, Status.REPLACED.value):
        return count_of(dashboard_rows(user, now, **filters))
    return cached(_dashboard_count, PROVING, key=(_reader_of(user), *sorted(filters.items())))


def _dashboard_count(organisation_id, *filters):
    return count_of(dashboard_rows(_Reader(organisation_id), utcnow(), **dict(filters)))


def _held(user, now=None):
    """{(environment id, organisation id): {kinds of the certificates current there}} of who tests where, as the user
    may see it: the pairs with a certificate or a PKI officer (Technical Contact) for the environment. Three reads of
    covering indexes (every certificate's pair, the officers' pairs, the certificates current at `now`: none without
    it), each distinct."""
    held = {}
    for environment_id, organisation_id in db.session.execute(visible(
            select(Certificate.environment_id, Certificate.organisation_id).distinct(), user)):
        held[environment_id, organisation_id] = set()
    for environment_id, organisation_id in db.session.execute(visible(
            select(PkiOfficer.environment_id, PkiOfficer.organisation_id).where(PkiOfficer.environment_id.is_not(None))
            .distinct(), user, PkiOfficer.organisation_id)):
        held.setdefault((environment_id, organisation_id), set())
    for environment_id, organisation_id, kind in db.session.execute(visible(
            select(Certificate.environment_id, Certificate.organisation_id, Certificate.kind)
            .where(~Certificate.replaced, Certificate.valid_to >= now).distinct(), user)) if now else ():
        held[environment_id, organisation_id].add(kind)
    return held


def environments_tested_in(user):
    """The ids of the environments the user's organisation tests in (a certificate or a PKI officer there)."""
    return {environment_id for environment_id, organisation_id in _held(user)
            if organisation_id == user.organisation_id}


def certificate_gaps(user, now, contacts=True):
    """(coverage gaps, contact gaps) of the dashboard, both from one read of who holds what where:
    - per environment, organisations testing there (a certificate or a Technical Contact) that lack a valid
      certificate of a kind they need: [(environment, organisation, [missing kinds])];
    - EAP §10.3.1: per environment, organisations holding current certificates of a scheme there with no Technical
      Contact of that scheme for it: [(environment, organisation, scheme)] (not looked for without `contacts`)."""
    held = _held(user, now)
    missing = {pair: [k for k in NEEDED_KINDS if k not in kinds] for pair, kinds in held.items()}
    missing = {pair: kinds for pair, kinds in missing.items() if kinds}
    schemes = {(e, o, _kind_scheme(k)) for (e, o), kinds in held.items() for k in kinds}
    no_contact = schemes - {(e, o, s) for o, s, e in _contacts({o for _, o, _ in schemes})} \
        if contacts and schemes else set()
    environments = {e.id: e for e in db.session.scalars(select(Environment))}
    organisations = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({o for _, o in missing} | {o for _, o, _ in no_contact})))} \
        if missing or no_contact else {}
    return (sorted(((environments[e], organisations[o], m) for (e, o), m in missing.items()),
                   key=lambda g: (g[0].position, g[1].name)),
            sorted(((environments[e], organisations[o], s) for e, o, s in no_contact),
                   key=lambda g: (g[0].position, g[1].name, g[2].value)))


def coverage_gaps(user, now):
    """certificate_gaps' first: [(environment, organisation, [missing kinds])]."""
    return certificate_gaps(user, now, contacts=False)[0]


def _kind_scheme(kind):
    return next(scheme for scheme, kinds in SCHEME_KINDS.items() if kind in kinds)


def _contacts(organisation_ids):
    """{(organisation id, scheme, environment id)} of the Technical Contacts these organisations have appointed."""
    return set(db.session.execute(select(PkiOfficer.organisation_id, PkiOfficer.scheme, PkiOfficer.environment_id)
                                  .where(PkiOfficer.role == OfficerRole.TECHNICAL_CONTACT,
                                         PkiOfficer.organisation_id.in_(organisation_ids))).all())


@dataclass(frozen=True)
class Named:
    """An environment or organisation as a gap names it (plain values, kept per process)."""
    id: int
    name: str


@dataclass(frozen=True)
class _Reader:
    """Whoever sees what a user sees of the certificates: every organisation's (None), or one's."""
    organisation_id: int | None
    is_authenticated = True

    @property
    def role(self):
        return Role.RELEASE_MANAGER if self.organisation_id is None else Role.TEST_PARTICIPANT


def _named_gaps(reader, now):
    def named(gaps):
        return tuple((Named(e.id, e.name), Named(o.id, o.name), what) for e, o, what in gaps)
    coverage, contacts = certificate_gaps(reader, now)
    return named(coverage), named(contacts)


def _load_gaps(organisation_id):
    """(coverage gaps, contact gaps) as names, and the moment they may change with time alone: the next expiry of a
    current certificate the reader sees."""
    reader, now = _Reader(organisation_id), utcnow()
    expiry = db.session.scalar(visible(select(func.min(Certificate.valid_to))
                                       .where(~Certificate.replaced, Certificate.valid_to >= now), reader))
    return *_named_gaps(reader, now), expiry or datetime.max


def gaps(user, now):
    """(coverage_gaps, contact_gaps) of what the user sees at `now`, with names for the environments and
    organisations: read once per process per reader and again when a certificate, an officer or the reference data
    change (their counters), or when `now` is past the next expiry (the home page's cards)."""
    reader = _reader_of(user)
    coverage, contacts, until = cached(_load_gaps, PROVING, REFERENCE, key=(reader,),
                                       fresh=lambda copy: now <= copy[2])
    if now > until:  # a moment past even the next expiry as it stands now (a `now` to come): read for it
        coverage, contacts = _named_gaps(_Reader(reader), now)
    return list(coverage), list(contacts)


def contact_warning(organisation, environment_id, kind):
    """EAP §10.3.1: the warning on an upload's confirm step when the organisation has no Technical Contact of the
    certificate's scheme for its environment (not a refusal: the contact may be appointed afterwards); None if
    it has."""
    scheme = _kind_scheme(Kind(kind))
    if (organisation.id, scheme, environment_id) in _contacts({organisation.id}):
        return None
    environment = db.session.get(Environment, environment_id)
    return (f"{organisation.name} has no {scheme.value} Technical Contact for {environment.name} (EAP §10.3.1: "
            "each environment's certificates have their Technical Contact). You can save the certificate; then "
            "appoint one on the PKI officers page.")


def status_of(certificate, now):
    """The dashboard's status of one certificate, from the same SQL expression as the list."""
    return Status(db.session.scalar(select(status_column(now)).where(Certificate.id == certificate.id)))


def visible_certificate(user, certificate_id):
    """The query for one certificate, which finds it only if this user may see it."""
    return visible(select(Certificate).where(Certificate.id == certificate_id), user)


def get_visible_certificate(user, certificate_id):
    return db.session.scalar(visible_certificate(user, certificate_id))


# Writes --------------------------------------------------------------------------------------

def named_organisations(parsed):
    """The ids of the registered organisations a certificate names: by its subject's organisation (O) or by one
    of their MPIDs as a value in its subject. A certificate belongs to the organisation it names."""
    names = {name.strip().casefold() for name in parsed.organisation_names}
    values = {value.strip().upper() for value in parsed.subject_values}
    return {organisation.id for organisation in db.session.scalars(select(Organisation))
            if organisation.name.casefold() in names or values & set(organisation.mpid_list)}


def check_new(user, parsed, renews_id, environment_id, kind):
    """The rules that need the database; raises Refused with the field the message belongs to."""
    named = named_organisations(parsed)
    if named and user.organisation_id not in named:
        # Whose it is stays unsaid: the uploader learns only that it is not theirs.
        raise Refused("This certificate names another organisation (its subject's organisation or MPID), so it "
                      "cannot be stored as yours. Upload a certificate issued to your own organisation.",
                      "certificate_file")
    existing = db.session.scalar(select(Certificate).where(Certificate.organisation_id == user.organisation_id,
                                                           Certificate.fingerprint == parsed.fingerprint))
    if existing is not None:
        raise Refused(f"This certificate is stored already (for {existing.environment.name}, uploaded "
                      f"{format_london(existing.uploaded_at)}); it is not stored twice.", "certificate_file")
    if renews_id:
        old = get_visible_certificate(user, renews_id)
        if old is None or old.replaced:
            raise Refused("The certificate to renew is not one of your current certificates.", "certificate_file")
        if old.environment_id != environment_id or old.kind.value != kind:
            raise Refused(f"A renewal is for the same environment and kind as the certificate it replaces "
                          f"({old.environment.name}, {old.kind.value}).", "environment_id")
        return old
    return None


CERTIFICATE_FIELDS = ["environment_id", "kind", "mpid", "market_role_id", "technical_contact"]


def save_certificate(user, parsed, values, renews_id=None):
    """values: CERTIFICATE_FIELDS as plain data; renews_id: the certificate this one replaces."""
    if not can_keep_certificates(user):
        raise Refused("Release Managers see certificates; each organisation uploads its own.")
    old = check_new(user, parsed, renews_id, values["environment_id"], values["kind"])
    certificate = Certificate(
        organisation_id=user.organisation_id, environment_id=values["environment_id"], kind=Kind(values["kind"]),
        mpid=values["mpid"], market_role_id=values["market_role_id"],
        technical_contact=(values["technical_contact"] or "").strip(),
        subject=parsed.subject, issuer=parsed.issuer, serial=parsed.serial, valid_from=parsed.valid_from,
        valid_to=parsed.valid_to, fingerprint=parsed.fingerprint, alt_names=parsed.alt_names, der=parsed.der,
        replaces_id=old.id if old else None, uploaded_by_id=user.id,
    )
    db.session.add(certificate)
    db.session.flush()
    summary = f"{certificate.kind.value} for {certificate.mpid}, valid to {certificate.valid_to:%Y-%m-%d}"
    if old:
        old.replaced = True
        record("certificate.renewed", actor=user, obj=old, summary=f"replaced by certificate {certificate.id}")
        summary += f", replaces certificate {old.id}"
    record("certificate.uploaded", actor=user, obj=certificate, summary=summary)
    index_for_search(certificate)
    _changed(certificate.organisation_id)
    db.session.commit()
    return certificate


def delete_certificate(user, certificate):
    if not can_manage_certificates(user, certificate.organisation_id):
        raise Refused("You may not delete this certificate.")
    record("certificate.deleted", actor=user, obj=certificate,
           summary=f"{certificate.kind.value} {certificate.environment.name} {certificate.fingerprint}")
    if certificate.replaces is not None:  # the certificate it renewed is current again
        certificate.replaces.replaced = False
    search.drop("certificate", [certificate.id])
    db.session.delete(certificate)
    db.session.flush()
    _changed(certificate.organisation_id)
    db.session.commit()


def index_for_search(certificate):
    """A certificate is found by its kind, MPID, environment, subject and organisation."""
    search.put("certificate", certificate.id, [certificate.kind.value, certificate.mpid,
                                               db.session.get(Environment, certificate.environment_id).name],
               certificate.subject, db.session.get(Organisation, certificate.organisation_id).name)


def reindex_named(kind, object_id):
    """A renamed organisation: its certificates are found by the new name (registered in create_app)."""
    if kind == "organisation":
        for certificate in db.session.scalars(select(Certificate).where(Certificate.organisation_id == object_id)):
            index_for_search(certificate)


OFFICER_FIELDS = ["scheme", "role", "name", "email", "mpid", "market_role_id", "environment_id"]

# EAP §10.3.1, Table 10, §11.3.1.1: the officers each registration scheme needs, and the certificates it issues.
# DIP (GlobalSign, registered at DIP onboarding): a Senior Responsible Officer, at most one ARO, Technical Contacts
# per environment. DCC CSS (DCC's PKI, which also issues DSP certificates): its Nominating Officer and SRO, at most
# one ARO, Technical Contacts per environment.
SCHEME_OFFICERS = {Scheme.DIP: (OfficerRole.SRO,), Scheme.DCC_CSS: (OfficerRole.NOMINATING_OFFICER, OfficerRole.SRO)}
SCHEME_KINDS = {Scheme.DIP: (Kind.DIP_TLS, Kind.DIP_JWS), Scheme.DCC_CSS: (Kind.DCC_CSS, Kind.DCC_DSP)}


def add_officer(user, organisation, values):
    """values: OFFICER_FIELDS as plain data."""
    if not can_manage_certificates(user, organisation.id):
        raise Refused(f"Only {organisation.name}'s own users appoint its PKI officers.", "role")
    role, scheme = OfficerRole(values["role"]), Scheme(values.get("scheme") or Scheme.DIP)
    if role == OfficerRole.NOMINATING_OFFICER and scheme != Scheme.DCC_CSS:
        raise Refused("A Nominating Officer belongs to the DCC CSS scheme (EAP §10.3.1): choose DCC CSS, or another "
                      "role for the DIP.", "role")
    if role in SINGLE_OFFICERS:
        current = db.session.scalar(select(PkiOfficer).where(PkiOfficer.organisation_id == organisation.id,
                                                             PkiOfficer.scheme == scheme, PkiOfficer.role == role))
        if current is not None:
            raise Refused(f"{organisation.name} already has a {scheme.value} {role.value} ({current.name}); "
                          "remove them first to appoint someone else.", "role")
    technical = role == OfficerRole.TECHNICAL_CONTACT
    officer = PkiOfficer(organisation_id=organisation.id, role=role, scheme=scheme, name=values["name"].strip(),
                         email=values["email"].strip().lower(),
                         mpid=values["mpid"] if technical else None,
                         market_role_id=values["market_role_id"] if technical else None,
                         environment_id=values["environment_id"] if technical else None)
    db.session.add(officer)
    db.session.flush()
    record("pki_officer.appointed", actor=user, obj=officer, summary=f"{scheme.value} {role.value}: {officer.name}")
    _changed(organisation.id)
    db.session.commit()
    return officer


def remove_officer(user, officer):
    if not can_manage_certificates(user, officer.organisation_id):
        raise Refused("You may not remove this PKI officer.")
    record("pki_officer.removed", actor=user, obj=officer, summary=f"{officer.role.value}: {officer.name}")
    db.session.delete(officer)
    db.session.flush()
    _changed(officer.organisation_id)
    db.session.commit()


def schemes_of(organisation, officers, certificates):
    """The registration schemes the organisation takes part in: the DIP for every Test Participant (DIP onboarding
    registers their PKI officers, EAP §11.3.1.1), and any scheme it holds a certificate or an officer of."""
    taking_part = {o.scheme for o in officers}
    taking_part |= {scheme for scheme, kinds in SCHEME_KINDS.items() if any(c.kind in kinds for c in certificates)}
    if organisation.kind == OrgKind.TEST_PARTICIPANT:
        taking_part.add(Scheme.DIP)
    return [scheme for scheme in Scheme if scheme in taking_part]


def officer_gaps(organisation, officers, certificates):
    """Warnings for EAP §10.3.1, Table 10: who is missing, per scheme the organisation takes part in (a DIP-only
    participant is not asked for a Nominating Officer)."""
    gaps = []
    for scheme in schemes_of(organisation, officers, certificates):
        held = {c.environment for c in certificates if c.kind in SCHEME_KINDS[scheme]}
        gaps += scheme_gaps(scheme, officers, sorted(held, key=lambda e: e.position),
                            f", where {organisation.name} holds {scheme.value} certificates")
    return gaps


def scheme_gaps(scheme, officers, environments, where=""):
    """Who is missing in one scheme: its officers (SCHEME_OFFICERS) and a Technical Contact for each of these
    environments. Connectivity proving asks it for the DIP and the environment being proven (step 1)."""
    mine = [o for o in officers if o.scheme == scheme]
    roles = [o.role for o in mine]
    gaps = [f"No {scheme.value} {role.value} appointed." for role in SCHEME_OFFICERS[scheme] if role not in roles]
    covered = {o.environment_id for o in mine if o.role == OfficerRole.TECHNICAL_CONTACT}
    return gaps + [f"No {scheme.value} Technical Contact for {environment.name}{where}."
                   for environment in environments if environment.id not in covered]


# A hook for what rests on an organisation's PKI officers and certificates (connectivity proving, registered in
# create_app): called with the organisation's id in the transaction of every change to them, before it commits.
CHANGED = "certificates.services.CHANGED"


def _changed(organisation_id):
    for function in functions(CHANGED):
        function(organisation_id)


# Reminders -----------------------------------------------------------------------------------

def _recipients(certificate, managers):
    officers = db.session.scalars(select(PkiOfficer.email).where(
        PkiOfficer.organisation_id == certificate.organisation_id,
        PkiOfficer.role == OfficerRole.TECHNICAL_CONTACT)).all()
    users = db.session.scalars(select(User.email).where(User.organisation_id == certificate.organisation_id,
                                                         User.active.is_(True))).all()
    contact = [certificate.technical_contact] if "@" in certificate.technical_contact else []
    return set(officers) | set(users) | set(contact) | set(managers)


def send_reminders(today: date):
    """Queues one reminder per certificate whose most urgent reached threshold has not been dealt with.
    A missed run catches up with that one threshold only; running twice on a day sends nothing new."""
    horizon = datetime.combine(today + timedelta(days=REMINDER_DAYS[0] + 2), datetime.min.time())
    certificates = db.session.scalars(
        select(Certificate).where(~Certificate.replaced, Certificate.valid_to < horizon)
        .options(joinedload(Certificate.environment), joinedload(Certificate.organisation))).all()
    sent = {(r.certificate_id, r.threshold) for r in db.session.scalars(select(ReminderSent).where(
        ReminderSent.certificate_id.in_([c.id for c in certificates])))}
    managers = db.session.scalars(select(User.email).where(User.role == Role.RELEASE_MANAGER,
                                                           User.active.is_(True))).all()
    queued = 0
    for certificate in certificates:
        days_left = certificate.days_left(today)
        reached = [t for t in REMINDER_DAYS if days_left <= t]
        if not reached or (certificate.id, min(reached)) in sent:
            continue
        for threshold in reached:
            if (certificate.id, threshold) not in sent:
                db.session.add(ReminderSent(certificate_id=certificate.id, threshold=threshold))
        queue(_recipients(certificate, managers), *_reminder_text(certificate, days_left), kind="certificate reminder")
        queued += 1
    db.session.commit()
    return queued


def _reminder_text(certificate, days_left):
    """(subject, body) from templates/email/certificate_reminder.txt."""
    return email_text("email/certificate_reminder.txt", certificate=certificate, days_left=days_left)
