"""Links to Azure DevOps, where the programme raises RFCs and keeps testing issues (RCM Table 3, EAP §12.1.1):
an installation that sets DEFECT_URL_TEMPLATE (e.g. https://dev.azure.com/org/project/_workitems/edit/{id}) sees
defect and work-item IDs as links. No call is ever made to ADO."""
from urllib.parse import quote

from flask import current_app


def work_item_url(item_id):
    """The URL of a defect or work item, or None when no template is set (or there is no ID)."""
    template = current_app.config.get("DEFECT_URL_TEMPLATE") or ""
    item_id = (item_id or "").strip()
    if not (template and item_id and "{id}" in template):
        return None
    return template.replace("{id}", quote(item_id, safe=""))


JINJA_GLOBALS = {"work_item_url": work_item_url}
