from django import template

from services import page_facts

register = template.Library()


@register.simple_tag
def job_facts(job, reason):
    """The top of a job's page (``services/jobs/_job_facts.html``), rendered once per version."""
    return page_facts.job_facts(job, reason)


@register.simple_tag
def call_facts(call, refusal):
    """The top of a call's page (``services/calls/_call_facts.html``), rendered once per version."""
    return page_facts.call_facts(call, refusal)


@register.simple_tag
def request_facts(service_request):
    """The top of a service request's page (``services/requests/_detail_facts.html``), rendered once per version."""
    return page_facts.request_facts(service_request)


@register.simple_tag
def offering_facts(offering):
    """The top of a federation offering's page (``services/offerings/_offering_facts.html``), rendered once per version."""
    return page_facts.offering_facts(offering)
