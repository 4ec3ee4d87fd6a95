"""Her answers to the stories that would like to name her: the list, one story's page (agree or
decline), and withdrawing a consent given (asked first). Another member's row answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .story_feature_models import StoryFeature, StoryFeatureStatus
from .story_features import feature_for, features_of, story_feature_consent, story_feature_decline


@login_required
def story_feature_list(request):
    return render(request, "members/stories/feature_list.html", {"features": features_of(member=request.user)})


@login_required
def story_feature(request, pk: int):
    feature = feature_for(feature_id=pk, member=request.user)
    if feature is None:
        raise Http404
    return render(request, "members/stories/feature_detail.html", {"feature": feature, "story": feature.story})


@login_required
@require_POST
def story_feature_answer(request, pk: int):
    answer = request.POST.get("answer")
    if answer not in {"consent", "decline"}:
        messages.error(request, _("Please choose to agree or to decline."))
        return redirect("members:story_feature", pk)
    try:
        if answer == "consent":
            story_feature_consent(feature_id=pk, member=request.user)
            messages.success(request, _("Thank you. The story may now name you; you can withdraw at any time."))
        else:
            story_feature_decline(feature_id=pk, member=request.user)
            messages.success(request, _("Noted. The story will not name you."))
    except StoryFeature.DoesNotExist:
        raise Http404 from None
    return redirect("members:story_feature", pk)


@login_required
def story_feature_withdraw(request, pk: int):
    """Asks first (a page, no script); the story stops naming her as soon as she confirms."""
    feature = feature_for(feature_id=pk, member=request.user)
    if feature is None:
        raise Http404
    if feature.status != StoryFeatureStatus.CONSENTED:
        return redirect("members:story_feature", pk)
    if request.method == "POST":
        story_feature_decline(feature_id=pk, member=request.user)
        messages.success(request, _("Your consent is withdrawn. The story no longer names you."))
        return redirect("members:story_feature", pk)
    return render(request, "members/stories/feature_withdraw.html", {"feature": feature, "story": feature.story})
