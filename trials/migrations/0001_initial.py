"""The schema of the models, after the PostgreSQL extensions it needs."""

import django.contrib.postgres.fields
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
import django.contrib.postgres.indexes
import django.db.models.deletion
import trials.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Spelling suggestions and autocomplete match condition terms by trigram.
        TrigramExtension(),
        # Condition terms are matched without their accents.
        UnaccentExtension(),
        migrations.CreateModel(
            name='ArmGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(default=0)),
                ('label', models.TextField()),
                ('type', models.CharField(blank=True, max_length=40)),
                ('description', models.TextField(blank=True)),
                ('intervention_names', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
            ],
            options={
                'ordering': ['trial', 'position'],
            },
        ),
        migrations.CreateModel(
            name='Contact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(default=0)),
                ('name', models.TextField(blank=True)),
                ('role', models.CharField(blank=True, max_length=40)),
                ('phone', models.CharField(blank=True, max_length=80)),
                ('phone_ext', models.CharField(blank=True, max_length=40)),
                ('email', models.CharField(blank=True, max_length=254)),
            ],
            options={
                'ordering': ['trial', 'position'],
            },
        ),
        migrations.CreateModel(
            name='Intervention',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(default=0)),
                ('type', models.CharField(blank=True, max_length=40)),
                ('name', models.TextField()),
                ('description', models.TextField(blank=True)),
                ('other_names', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('arm_group_labels', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
            ],
            options={
                'ordering': ['trial', 'position'],
            },
        ),
        migrations.CreateModel(
            name='Outcome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(default=0)),
                ('kind', models.CharField(choices=[('PRIMARY', 'Primary'), ('SECONDARY', 'Secondary'), ('OTHER', 'Other')], max_length=10)),
                ('measure', models.TextField()),
                ('description', models.TextField(blank=True)),
                ('time_frame', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['trial', 'position'],
            },
        ),
        migrations.CreateModel(
            name='SearchIndex',
            fields=[
                ('name', models.CharField(max_length=32, primary_key=True, serialize=False)),
                ('version', models.CharField(max_length=100)),
                ('data', models.BinaryField()),
            ],
        ),
        migrations.CreateModel(
            name='Site',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text='Stable identity across imports.', max_length=64)),
                ('position', models.PositiveIntegerField(default=0)),
                ('facility', models.TextField(blank=True)),
                ('status', models.CharField(blank=True, max_length=32)),
                ('city', models.TextField(blank=True)),
                ('state', models.TextField(blank=True)),
                ('zip_code', models.CharField(blank=True, max_length=40)),
                ('country', models.TextField(blank=True)),
                ('latitude', models.FloatField(blank=True, null=True)),
                ('longitude', models.FloatField(blank=True, null=True)),
                ('contacts', models.JSONField(blank=True, default=list)),
                ('listed', models.BooleanField(default=True, help_text='False when the site left the ClinicalTrials.gov record but a contact request still refers to it.')),
            ],
            options={
                'ordering': ['trial', 'position'],
            },
        ),
        migrations.CreateModel(
            name='Trial',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nct_id', models.CharField(max_length=16, verbose_name='NCT ID')),
                ('brief_title', models.TextField(blank=True)),
                ('official_title', models.TextField(blank=True)),
                ('acronym', models.CharField(blank=True, max_length=100)),
                ('org_study_id', models.CharField(blank=True, max_length=200, verbose_name="organisation's study ID")),
                ('secondary_ids', models.JSONField(blank=True, default=list)),
                ('organization', models.CharField(blank=True, max_length=500)),
                ('overall_status', models.CharField(choices=[('RECRUITING', 'Recruiting'), ('NOT_YET_RECRUITING', 'Not yet recruiting'), ('ENROLLING_BY_INVITATION', 'Enrolling by invitation'), ('ACTIVE_NOT_RECRUITING', 'Active, not recruiting'), ('SUSPENDED', 'Suspended'), ('TERMINATED', 'Terminated'), ('COMPLETED', 'Completed'), ('WITHDRAWN', 'Withdrawn'), ('UNKNOWN', 'Status not verified recently'), ('AVAILABLE', 'Available (expanded access)'), ('NO_LONGER_AVAILABLE', 'No longer available'), ('TEMPORARILY_NOT_AVAILABLE', 'Temporarily not available'), ('APPROVED_FOR_MARKETING', 'Approved for marketing'), ('WITHHELD', 'Withheld')], max_length=32)),
                ('last_known_status', models.CharField(blank=True, choices=[('RECRUITING', 'Recruiting'), ('NOT_YET_RECRUITING', 'Not yet recruiting'), ('ENROLLING_BY_INVITATION', 'Enrolling by invitation'), ('ACTIVE_NOT_RECRUITING', 'Active, not recruiting'), ('SUSPENDED', 'Suspended'), ('TERMINATED', 'Terminated'), ('COMPLETED', 'Completed'), ('WITHDRAWN', 'Withdrawn'), ('UNKNOWN', 'Status not verified recently'), ('AVAILABLE', 'Available (expanded access)'), ('NO_LONGER_AVAILABLE', 'No longer available'), ('TEMPORARILY_NOT_AVAILABLE', 'Temporarily not available'), ('APPROVED_FOR_MARKETING', 'Approved for marketing'), ('WITHHELD', 'Withheld')], max_length=32)),
                ('why_stopped', models.TextField(blank=True)),
                ('status_verified', models.DateField(blank=True, null=True, verbose_name='status verified')),
                ('status_verified_precision', models.CharField(blank=True, choices=[('D', 'Day'), ('M', 'Month'), ('Y', 'Year')], max_length=1, verbose_name='status verified precision')),
                ('start_date', models.DateField(blank=True, null=True, verbose_name='start date')),
                ('start_date_precision', models.CharField(blank=True, choices=[('D', 'Day'), ('M', 'Month'), ('Y', 'Year')], max_length=1, verbose_name='start date precision')),
                ('start_date_estimated', models.BooleanField(default=False, verbose_name='start date is estimated')),
                ('primary_completion_date', models.DateField(blank=True, null=True, verbose_name='primary completion date')),
                ('primary_completion_date_precision', models.CharField(blank=True, choices=[('D', 'Day'), ('M', 'Month'), ('Y', 'Year')], max_length=1, verbose_name='primary completion date precision')),
                ('primary_completion_date_estimated', models.BooleanField(default=False, verbose_name='primary completion date is estimated')),
                ('completion_date', models.DateField(blank=True, null=True, verbose_name='completion date')),
                ('completion_date_precision', models.CharField(blank=True, choices=[('D', 'Day'), ('M', 'Month'), ('Y', 'Year')], max_length=1, verbose_name='completion date precision')),
                ('completion_date_estimated', models.BooleanField(default=False, verbose_name='completion date is estimated')),
                ('first_posted', models.DateField(blank=True, null=True, verbose_name='first posted')),
                ('first_posted_precision', models.CharField(blank=True, choices=[('D', 'Day'), ('M', 'Month'), ('Y', 'Year')], max_length=1, verbose_name='first posted precision')),
                ('first_posted_estimated', models.BooleanField(default=False, verbose_name='first posted is estimated')),
                ('last_update', models.DateField(blank=True, null=True, verbose_name='last update posted')),
                ('last_update_precision', models.CharField(blank=True, choices=[('D', 'Day'), ('M', 'Month'), ('Y', 'Year')], max_length=1, verbose_name='last update posted precision')),
                ('last_update_estimated', models.BooleanField(default=False, verbose_name='last update posted is estimated')),
                ('study_type', models.CharField(blank=True, choices=[('INTERVENTIONAL', 'Interventional (tests a treatment)'), ('OBSERVATIONAL', 'Observational (no treatment assigned)'), ('EXPANDED_ACCESS', 'Expanded access')], max_length=32)),
                ('phases', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('EARLY_PHASE1', 'Early phase 1'), ('PHASE1', 'Phase 1'), ('PHASE2', 'Phase 2'), ('PHASE3', 'Phase 3'), ('PHASE4', 'Phase 4'), ('NA', 'Not applicable')], max_length=16), blank=True, default=list, size=None)),
                ('enrollment', models.PositiveIntegerField(blank=True, null=True)),
                ('enrollment_estimated', models.BooleanField(default=False)),
                ('allocation', models.CharField(blank=True, max_length=32)),
                ('intervention_model', models.CharField(blank=True, max_length=32)),
                ('intervention_model_description', models.TextField(blank=True)),
                ('primary_purpose', models.CharField(blank=True, max_length=48)),
                ('observational_model', models.CharField(blank=True, max_length=48)),
                ('time_perspective', models.CharField(blank=True, max_length=32)),
                ('masking', models.CharField(blank=True, max_length=32)),
                ('who_masked', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=32), blank=True, default=list, size=None)),
                ('brief_summary', models.TextField(blank=True)),
                ('detailed_description', models.TextField(blank=True)),
                ('conditions', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('keywords', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('mesh_terms', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('mesh_ancestors', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('eligibility_criteria', models.TextField(blank=True)),
                ('minimum_age', models.CharField(blank=True, max_length=40, verbose_name='minimum age as given')),
                ('maximum_age', models.CharField(blank=True, max_length=40, verbose_name='maximum age as given')),
                ('min_age_days', models.PositiveIntegerField(blank=True, help_text='Empty: no lower limit.', null=True)),
                ('max_age_days', models.PositiveIntegerField(blank=True, help_text='Empty: no upper limit.', null=True)),
                ('sex', models.CharField(blank=True, choices=[('ALL', 'All sexes'), ('FEMALE', 'Female'), ('MALE', 'Male')], max_length=8)),
                ('gender_based', models.BooleanField(default=False)),
                ('gender_description', models.TextField(blank=True)),
                ('healthy_volunteers', models.BooleanField(blank=True, null=True)),
                ('std_ages', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('CHILD', 'Child (0-17)'), ('ADULT', 'Adult (18-64)'), ('OLDER_ADULT', 'Older adult (65+)')], max_length=16), blank=True, default=list, size=None)),
                ('lead_sponsor', models.CharField(blank=True, max_length=500)),
                ('lead_sponsor_class', models.CharField(blank=True, max_length=32)),
                ('collaborators', models.JSONField(blank=True, default=list)),
                ('responsible_party', models.JSONField(blank=True, default=dict)),
                ('overall_officials', models.JSONField(blank=True, default=list)),
                ('references', models.JSONField(blank=True, default=list)),
                ('see_also_links', models.JSONField(blank=True, default=list)),
                ('countries', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('cities', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('site_count', models.PositiveIntegerField(default=0)),
                ('recruiting_site_count', models.PositiveIntegerField(default=0)),
                ('intervention_names', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('condition_terms', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, help_text='Conditions, keywords, MeSH terms and ancestors, lower-cased and unaccented.', size=None)),
                ('search_document', trials.models.TextVector(editable=False, null=True, serialize=False)),
                ('condition_document', trials.models.TextVector(editable=False, null=True, serialize=False)),
                ('rank_document', trials.models.TextVector(editable=False, null=True, serialize=False)),
                ('search_conditions', models.TextField(blank=True, editable=False, help_text='Conditions, keywords and MeSH terms as one text.')),
                ('search_interventions', models.TextField(blank=True, editable=False)),
                ('raw', models.JSONField(verbose_name='original ClinicalTrials.gov JSON')),
                ('source_hash', models.CharField(editable=False, max_length=64)),
                ('imported_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['nct_id'],
            },
        ),
        migrations.CreateModel(
            name='AuditLogEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('VIEW', 'Viewed'), ('CHANGE', 'Changed'), ('EXPORT', 'Exported'), ('DELETE', 'Deleted')], max_length=8)),
                ('contact_request_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), default=list, size=None)),
                ('detail', models.TextField(blank=True)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'audit log entries',
                'ordering': ['-at'],
            },
        ),
        migrations.CreateModel(
            name='ConditionTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.TextField()),
                ('normalized', models.TextField(help_text='Lower-cased and unaccented, for matching.')),
                ('trial_count', models.PositiveIntegerField(default=0)),
                ('open_trial_count', models.PositiveIntegerField(default=0)),
            ],
            options={
                'ordering': ['-trial_count', 'term'],
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['normalized'], name='conditionterm_trgm_gin', opclasses=['gin_trgm_ops'])],
                'constraints': [models.UniqueConstraint(fields=('normalized',), name='conditionterm_unique_normalized')],
            },
        ),
        migrations.CreateModel(
            name='ContactRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('site_name', models.TextField(blank=True, help_text='The site as the patient saw it.')),
                ('first_name', models.CharField(max_length=100)),
                ('last_name', models.CharField(max_length=100)),
                ('email', models.EmailField(max_length=254)),
                ('phone', models.CharField(max_length=40)),
                ('language', models.CharField(blank=True, max_length=60, verbose_name='other language')),
                ('message', models.TextField(blank=True)),
                ('consent', models.BooleanField(default=False)),
                ('team_recipients', models.TextField(blank=True, help_text='Who the request was sent to, as the patient was told.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('client_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('submission_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('team_notified_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('patient_notified_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('status', models.CharField(choices=[('NEW', 'New'), ('CONTACTED', 'Contacted'), ('PRE_SCREENING', 'Pre-screening'), ('SCHEDULED', 'Scheduled'), ('ENROLLED', 'Enrolled'), ('NOT_ELIGIBLE', 'Not eligible'), ('WITHDREW', 'Withdrew')], default='NEW', max_length=16)),
                ('first_response_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('status_changed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_contact_requests', to=settings.AUTH_USER_MODEL)),
                ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='contact_requests', to='trials.site')),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ContactRequestEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('CREATED', 'Received'), ('STATUS', 'Status changed'), ('ASSIGNED', 'Assigned'), ('NOTE', 'Note')], max_length=10)),
                ('from_status', models.CharField(blank=True, max_length=16)),
                ('to_status', models.CharField(blank=True, max_length=16)),
                ('note', models.TextField(blank=True)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='trials.contactrequest')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CoordinatorAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trial_assignments', to=settings.AUTH_USER_MODEL)),
                ('site', models.ForeignKey(blank=True, help_text='Leave empty for every site of the trial.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='trials.site')),
            ],
        ),
        migrations.CreateModel(
            name='StatusSummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=16)),
                ('value', models.TextField(blank=True)),
                ('n', models.PositiveIntegerField()),
                ('overall_status', models.CharField(choices=[('RECRUITING', 'Recruiting'), ('NOT_YET_RECRUITING', 'Not yet recruiting'), ('ENROLLING_BY_INVITATION', 'Enrolling by invitation'), ('ACTIVE_NOT_RECRUITING', 'Active, not recruiting'), ('SUSPENDED', 'Suspended'), ('TERMINATED', 'Terminated'), ('COMPLETED', 'Completed'), ('WITHDRAWN', 'Withdrawn'), ('UNKNOWN', 'Status not verified recently'), ('AVAILABLE', 'Available (expanded access)'), ('NO_LONGER_AVAILABLE', 'No longer available'), ('TEMPORARILY_NOT_AVAILABLE', 'Temporarily not available'), ('APPROVED_FOR_MARKETING', 'Approved for marketing'), ('WITHHELD', 'Withheld')], max_length=32)),
                ('phases', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('EARLY_PHASE1', 'Early phase 1'), ('PHASE1', 'Phase 1'), ('PHASE2', 'Phase 2'), ('PHASE3', 'Phase 3'), ('PHASE4', 'Phase 4'), ('NA', 'Not applicable')], max_length=16), blank=True, default=list, size=None)),
                ('std_ages', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('CHILD', 'Child (0-17)'), ('ADULT', 'Adult (18-64)'), ('OLDER_ADULT', 'Older adult (65+)')], max_length=16), blank=True, default=list, size=None)),
                ('study_type', models.CharField(blank=True, choices=[('INTERVENTIONAL', 'Interventional (tests a treatment)'), ('OBSERVATIONAL', 'Observational (no treatment assigned)'), ('EXPANDED_ACCESS', 'Expanded access')], max_length=32)),
                ('sex', models.CharField(blank=True, choices=[('ALL', 'All sexes'), ('FEMALE', 'Female'), ('MALE', 'Male')], max_length=8)),
                ('healthy_volunteers', models.BooleanField(blank=True, null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['kind', 'overall_status'], name='statussummary_kind_idx')],
            },
        ),
        migrations.CreateModel(
            name='TrialFacets',
            fields=[
                ('trial', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='facets', serialize=False, to='trials.trial')),
                ('nct_id', models.CharField(max_length=16, verbose_name='NCT ID')),
                ('last_update', models.DateField(blank=True, null=True, verbose_name='last update posted')),
                ('first_posted', models.DateField(blank=True, null=True, verbose_name='first posted')),
                ('overall_status', models.CharField(choices=[('RECRUITING', 'Recruiting'), ('NOT_YET_RECRUITING', 'Not yet recruiting'), ('ENROLLING_BY_INVITATION', 'Enrolling by invitation'), ('ACTIVE_NOT_RECRUITING', 'Active, not recruiting'), ('SUSPENDED', 'Suspended'), ('TERMINATED', 'Terminated'), ('COMPLETED', 'Completed'), ('WITHDRAWN', 'Withdrawn'), ('UNKNOWN', 'Status not verified recently'), ('AVAILABLE', 'Available (expanded access)'), ('NO_LONGER_AVAILABLE', 'No longer available'), ('TEMPORARILY_NOT_AVAILABLE', 'Temporarily not available'), ('APPROVED_FOR_MARKETING', 'Approved for marketing'), ('WITHHELD', 'Withheld')], max_length=32)),
                ('phases', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('EARLY_PHASE1', 'Early phase 1'), ('PHASE1', 'Phase 1'), ('PHASE2', 'Phase 2'), ('PHASE3', 'Phase 3'), ('PHASE4', 'Phase 4'), ('NA', 'Not applicable')], max_length=16), blank=True, default=list, size=None)),
                ('std_ages', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('CHILD', 'Child (0-17)'), ('ADULT', 'Adult (18-64)'), ('OLDER_ADULT', 'Older adult (65+)')], max_length=16), blank=True, default=list, size=None)),
                ('study_type', models.CharField(blank=True, choices=[('INTERVENTIONAL', 'Interventional (tests a treatment)'), ('OBSERVATIONAL', 'Observational (no treatment assigned)'), ('EXPANDED_ACCESS', 'Expanded access')], max_length=32)),
                ('sex', models.CharField(blank=True, choices=[('ALL', 'All sexes'), ('FEMALE', 'Female'), ('MALE', 'Male')], max_length=8)),
                ('healthy_volunteers', models.BooleanField(blank=True, null=True)),
                ('countries', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('mesh_terms', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, size=None)),
                ('min_age_days', models.PositiveIntegerField(blank=True, help_text='Empty: no lower limit.', null=True)),
                ('max_age_days', models.PositiveIntegerField(blank=True, help_text='Empty: no upper limit.', null=True)),
            ],
            options={
                'verbose_name_plural': 'trial facets',
            },
        ),
        migrations.AddIndex(
            model_name='trial',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_document'], name='trial_search_document_gin'),
        ),
        migrations.AddIndex(
            model_name='trial',
            index=django.contrib.postgres.indexes.GinIndex(fields=['condition_document'], name='trial_condition_document_gin'),
        ),
        migrations.AddIndex(
            model_name='trial',
            index=django.contrib.postgres.indexes.GinIndex(fields=['condition_terms'], name='trial_condition_terms_gin'),
        ),
        migrations.AddIndex(
            model_name='trial',
            index=models.Index(fields=['overall_status'], name='trial_status_idx'),
        ),
        migrations.AddIndex(
            model_name='trial',
            index=models.Index(fields=['imported_at'], name='trial_imported_at_idx'),
        ),
        migrations.AddConstraint(
            model_name='trial',
            constraint=models.UniqueConstraint(fields=('nct_id',), name='trial_unique_nct_id'),
        ),
        migrations.AddConstraint(
            model_name='trial',
            constraint=models.CheckConstraint(condition=models.Q(('min_age_days__isnull', True), ('max_age_days__isnull', True), ('min_age_days__lte', models.F('max_age_days')), _connector='OR'), name='trial_min_age_lte_max_age'),
        ),
        migrations.AddConstraint(
            model_name='trial',
            constraint=models.CheckConstraint(condition=models.Q(('overall_status__in', ['RECRUITING', 'NOT_YET_RECRUITING', 'ENROLLING_BY_INVITATION', 'ACTIVE_NOT_RECRUITING', 'SUSPENDED', 'TERMINATED', 'COMPLETED', 'WITHDRAWN', 'UNKNOWN', 'AVAILABLE', 'NO_LONGER_AVAILABLE', 'TEMPORARILY_NOT_AVAILABLE', 'APPROVED_FOR_MARKETING', 'WITHHELD'])), name='trial_valid_overall_status'),
        ),
        migrations.AddConstraint(
            model_name='trial',
            constraint=models.CheckConstraint(condition=models.Q(('last_known_status', ''), ('last_known_status__in', ['RECRUITING', 'NOT_YET_RECRUITING', 'ENROLLING_BY_INVITATION', 'ACTIVE_NOT_RECRUITING', 'SUSPENDED', 'TERMINATED', 'COMPLETED', 'WITHDRAWN', 'UNKNOWN', 'AVAILABLE', 'NO_LONGER_AVAILABLE', 'TEMPORARILY_NOT_AVAILABLE', 'APPROVED_FOR_MARKETING', 'WITHHELD']), _connector='OR'), name='trial_valid_last_known_status'),
        ),
        migrations.AddConstraint(
            model_name='trial',
            constraint=models.CheckConstraint(condition=models.Q(('phases__contained_by', ['EARLY_PHASE1', 'PHASE1', 'PHASE2', 'PHASE3', 'PHASE4', 'NA'])), name='trial_valid_phases'),
        ),
        migrations.AddConstraint(
            model_name='trial',
            constraint=models.CheckConstraint(condition=models.Q(('study_type', ''), ('study_type__in', ['INTERVENTIONAL', 'OBSERVATIONAL', 'EXPANDED_ACCESS']), _connector='OR'), name='trial_valid_study_type'),
        ),
        migrations.AddConstraint(
            model_name='trial',
            constraint=models.CheckConstraint(condition=models.Q(('sex', ''), ('sex__in', ['ALL', 'FEMALE', 'MALE']), _connector='OR'), name='trial_valid_sex'),
        ),
        migrations.AddConstraint(
            model_name='trial',
            constraint=models.CheckConstraint(condition=models.Q(('std_ages__contained_by', ['CHILD', 'ADULT', 'OLDER_ADULT'])), name='trial_valid_std_ages'),
        ),
        migrations.AddField(
            model_name='site',
            name='trial',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='sites', to='trials.trial'),
        ),
        migrations.AddField(
            model_name='outcome',
            name='trial',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outcomes', to='trials.trial'),
        ),
        migrations.AddField(
            model_name='intervention',
            name='trial',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='interventions', to='trials.trial'),
        ),
        migrations.AddField(
            model_name='coordinatorassignment',
            name='trial',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='trials.trial'),
        ),
        migrations.AddField(
            model_name='contactrequest',
            name='trial',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contact_requests', to='trials.trial'),
        ),
        migrations.AddField(
            model_name='contact',
            name='trial',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='central_contacts', to='trials.trial'),
        ),
        migrations.AddField(
            model_name='armgroup',
            name='trial',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='arm_groups', to='trials.trial'),
        ),
        migrations.AddIndex(
            model_name='auditlogentry',
            index=models.Index(fields=['-at'], name='auditlogentry_at_idx'),
        ),
        migrations.AddIndex(
            model_name='trialfacets',
            index=models.Index(fields=['overall_status'], name='facets_status_idx'),
        ),
        migrations.AddIndex(
            model_name='trialfacets',
            index=django.contrib.postgres.indexes.GinIndex(fields=['phases'], name='facets_phases_gin'),
        ),
        migrations.AddIndex(
            model_name='trialfacets',
            index=django.contrib.postgres.indexes.GinIndex(fields=['countries'], name='facets_countries_gin'),
        ),
        migrations.AddIndex(
            model_name='trialfacets',
            index=models.Index(models.OrderBy(models.F('last_update'), descending=True, nulls_last=True), models.F('nct_id'), name='facets_updated_idx'),
        ),
        migrations.AddIndex(
            model_name='trialfacets',
            index=models.Index(models.OrderBy(models.F('first_posted'), descending=True, nulls_last=True), models.F('nct_id'), name='facets_posted_idx'),
        ),
        migrations.AddConstraint(
            model_name='site',
            constraint=models.UniqueConstraint(fields=('trial', 'key'), name='site_unique_key_per_trial'),
        ),
        migrations.AddConstraint(
            model_name='outcome',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['PRIMARY', 'SECONDARY', 'OTHER'])), name='outcome_valid_kind'),
        ),
        migrations.AddConstraint(
            model_name='coordinatorassignment',
            constraint=models.UniqueConstraint(fields=('user', 'trial', 'site'), name='coordinatorassignment_unique', nulls_distinct=False),
        ),
        migrations.AddIndex(
            model_name='contactrequest',
            index=models.Index(fields=['-created_at'], name='contactrequest_created_idx'),
        ),
        migrations.AddIndex(
            model_name='contactrequest',
            index=models.Index(fields=['email', 'created_at'], name='contactrequest_email_idx'),
        ),
        migrations.AddIndex(
            model_name='contactrequest',
            index=models.Index(fields=['client_hash', 'created_at'], name='contactrequest_client_idx'),
        ),
        migrations.AddIndex(
            model_name='contactrequest',
            index=models.Index(fields=['submission_hash'], name='contactrequest_dupe_idx'),
        ),
        migrations.AddIndex(
            model_name='contactrequest',
            index=models.Index(fields=['trial', 'status'], name='contactrequest_queue_idx'),
        ),
        migrations.AddConstraint(
            model_name='contactrequest',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['NEW', 'CONTACTED', 'PRE_SCREENING', 'SCHEDULED', 'ENROLLED', 'NOT_ELIGIBLE', 'WITHDREW'])), name='contactrequest_valid_status'),
        ),
    ]
