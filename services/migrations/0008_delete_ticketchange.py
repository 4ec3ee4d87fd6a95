# Drops the ticket history model once its rows are in the audit trail (previous migration).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('services', '0007_ticket_history_into_audit_trail'),
    ]

    operations = [
        migrations.DeleteModel(
            name='TicketChange',
        ),
    ]
