"""我的数据: what the export holds, asking for it, its progress and its download. Thin:
members.data_exports decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .data_exports import (
    DataExportError,
    export_current,
    export_downloadable,
    export_filename,
    export_for,
    export_open,
    export_request,
    export_waiting,
    link_expired,
    link_lifetime,
)
from .data_sources import sources_listed


@login_required
def my_data(request):
    export = export_current(user=request.user)
    return render(request, "members/data/my_data.html", {
        "sources_listed": sources_listed(),
        "export": export,
        "waiting": export is not None and export_waiting(export),
        "downloadable": export is not None and export_downloadable(export=export),
        "expired": export is not None and link_expired(export=export),
        "link_days": link_lifetime().days,
    })


@login_required
@require_POST
def data_export_new(request):
    try:
        export_request(user=request.user)
    except DataExportError as error:
        messages.error(request, str(error))
    return redirect("members:my_data")


@login_required
def data_export_file(request, pk: int):
    export = export_for(pk=pk, user=request.user)
    if export is None:
        raise Http404
    try:
        stored = export_open(export=export, user=request.user)
    except DataExportError as error:
        messages.error(request, str(error))
        return redirect("members:my_data")
    response = FileResponse(stored, as_attachment=True, filename=export_filename(export),
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
