"""Shared lists of My trials (encrypted in the browser) and the per-address counts that limit sharing."""

import datetime
import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trials', '0007_contactrequest_prescreen'),
    ]

    operations = [
        migrations.CreateModel(
            name='SharedList',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('link_id', models.CharField(editable=False, max_length=32)),
                ('version', models.PositiveSmallIntegerField(default=1, help_text='Encryption scheme.')),
                ('ciphertext', models.BinaryField()),
                ('iv', models.BinaryField(verbose_name='AES-GCM nonce')),
                ('salt', models.BinaryField(verbose_name='PBKDF2 salt')),
                ('iterations', models.PositiveIntegerField(verbose_name='PBKDF2 iterations')),
                ('verifier_hash', models.CharField(editable=False, max_length=256)),
                ('revoke_token_hash', models.CharField(editable=False, max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('failed_attempts', models.PositiveSmallIntegerField(default=0)),
                ('locked_until', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['expires_at'], name='sharedlist_expires_idx')],
                'constraints': [models.UniqueConstraint(fields=('link_id',), name='sharedlist_unique_link_id'), models.CheckConstraint(condition=models.Q(('expires_at__lte', django.db.models.expressions.CombinedExpression(models.F('created_at'), '+', models.Value(datetime.timedelta(days=90))))), name='sharedlist_expires_within_90_days')],
            },
        ),
        migrations.CreateModel(
            name='ShareLimitEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('client_hash', models.CharField(max_length=64)),
                ('kind', models.CharField(choices=[('CREATED', 'List shared'), ('WRONG', 'Wrong passcode')], max_length=8)),
                ('at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'indexes': [models.Index(fields=['client_hash', 'kind', 'at'], name='sharelimitevent_client_idx')],
            },
        ),
    ]
