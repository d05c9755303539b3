"""RCM Table 3 (RFCs are raised in Azure DevOps) and EAP §12.1.1 (testing issues live in ADO): an RFC carries its
ADO work item number; defect and work-item IDs become links when the installation sets DEFECT_URL_TEMPLATE. No call
is made to ADO."""
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from mhhs.extensions import db
from mhhs.rfcs.models import Rfc
from tests.rfcs.factory import form_data

TEMPLATE = "https://dev.azure.com/mhhs/sit/_workitems/edit/{id}"


@pytest.fixture
def ado(app):
    app.config["DEFECT_URL_TEMPLATE"] = TEMPLATE
    yield
    app.config["DEFECT_URL_TEMPLATE"] = ""


def raised(app, as_user, **extra):
    response = as_user("dip@demo.test").post("/rfcs/new", {**form_data(app), "ado_work_item": " 48213 ", **extra,
                                                           "action": "save"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.location.split("/rfcs/")[1].split("/")[0])


def test_rcm_table_3_ado_references_are_links_with_a_template(app, as_user, ado):
    rfc_id = raised(app, as_user)
    with app.app_context():
        assert db.session.get(Rfc, rfc_id).ado_work_item == "48213"
    page = as_user("dip@demo.test").get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert f'<a href="{TEMPLATE.format(id="48213")}" rel="noreferrer">48213</a>' in page
    assert f'<a href="{TEMPLATE.format(id="DEF-101")}" rel="noreferrer">DEF-101</a>' in page
    pdf = as_user("dip@demo.test").get(f"/rfcs/{rfc_id}/release-note.pdf")
    reader = PdfReader(io.BytesIO(pdf.data))
    uris = [a.get_object()["/A"]["/URI"] for p in reader.pages for a in p.get("/Annots", [])
            if a.get_object().get("/A", {}).get("/URI")]
    assert TEMPLATE.format(id="48213") in uris and TEMPLATE.format(id="DEF-101") in uris


def test_eap_12_1_1_without_a_template_ids_stay_plain_text(app, as_user):
    rfc_id = raised(app, as_user)
    page = as_user("dip@demo.test").get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "<dt>ADO work item</dt><dd>48213</dd>" in page and "dev.azure.com" not in page


def test_rcm_table_3_a_work_item_number_is_digits(app, as_user):
    dip = as_user("dip@demo.test")
    page = dip.post("/rfcs/new", {**form_data(app), "ado_work_item": "WI-12", "action": "save"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<small id="ado_work_item-error" class="field-error">An Azure DevOps work item number is digits only' in text
    assert 'value="WI-12"' in text
    with app.app_context():
        assert db.session.scalar(select(Rfc.id)) is None
