"""Uploads on S3-compatible object storage (DJANGO_MEDIA_STORAGE=s3), against a local S3 server
(moto) that each test starts on 127.0.0.1: posters in the public bucket under plain URLs,
member photos and inbox attachments in the private bucket with no URL of their own, still
served by the portal's views to whom the rules allow and 404 to everyone else."""

import json
import subprocess
import sys
from pathlib import Path
from urllib.request import Request, urlopen

import boto3
import pytest
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from events.changes import event_save
from members.models import MemberProfile
from services.models import Attachment, Category, Contact, Ticket
from tests.events.factories import EventFactory
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import production_environment
from tests.images import encode, upload
from tests.members.test_approval import profile_form_data
from xiangcheng.core.files import POSTER, image_process
from xiangcheng.core.storage import private_storage
from xiangcheng.settings.base import object_storages

ROOT = Path(__file__).resolve().parent.parent.parent
PUBLIC, PRIVATE = "xiangcheng-media", "xiangcheng-private"
MEDIA_URL = "http://testserver/media/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_server():
    """A local S3-compatible server on a free port of 127.0.0.1, for this test only."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its buckets in this process: each test starts from none.
    urlopen(Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()  # noqa: S310
    yield endpoint
    server.stop()


def buckets_at(endpoint: str):
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    for bucket in (PUBLIC, PRIVATE):
        client.create_bucket(Bucket=bucket)
    return client


def use_object_storage(settings, endpoint: str, *, private_bucket: str = PRIVATE, private_prefix: str = "") -> None:
    """STORAGES as the settings build them for DJANGO_MEDIA_STORAGE=s3."""
    settings.MEDIA_URL = MEDIA_URL
    settings.STORAGES = {**settings.STORAGES, **object_storages(
        endpoint_url=endpoint, region="us-east-1", access_key="test", secret_key="test", bucket=PUBLIC,
        public_url=MEDIA_URL, private_bucket=private_bucket, private_prefix=private_prefix,
        addressing_style="path")}


@pytest.fixture
def s3(settings, s3_server):
    """The portal's storages on the local server's two buckets; the boto3 client to look inside."""
    client = buckets_at(s3_server)
    use_object_storage(settings, s3_server)
    return client


def keys(client, bucket: str) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def read(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def jpeg(colour: str = "teal", size=(120, 90)) -> bytes:
    return encode(Image.new("RGB", size, colour), "JPEG")


def photo_posted(client, profile: MemberProfile) -> MemberProfile:
    """Her photo uploaded through her profile page."""
    client.force_login(profile.user)
    response = client.post(reverse("members:profile"), profile_form_data(profile, avatar_upload=upload(jpeg())))
    assert response.status_code == 302
    return MemberProfile.objects.get(pk=profile.pk)


def test_a_poster_lands_in_the_public_bucket_under_a_plain_url(s3, client):
    event = EventFactory(title="女科技工作者沙龙")

    event_save(event=event, changed={"poster"}, poster=image_process(upload(jpeg(size=(1600, 900))), use=POSTER))

    event.refresh_from_db()
    assert keys(s3, PUBLIC) == {event.poster.name, event.poster_thumb.name}
    assert keys(s3, PRIVATE) == set()
    assert event.poster.url == f"{MEDIA_URL}{event.poster.name}"  # no signature, no expiry
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert event.poster.url in page
    with default_storage.open(event.poster.name) as stored:
        assert stored.read() == read(s3, PUBLIC, event.poster.name)


def test_a_photo_and_an_attachment_land_in_the_private_bucket_and_have_no_url_of_their_own(s3, client):
    profile = photo_posted(client, MemberProfileFactory(real_name="林晓雯"))
    response = client.post(reverse("services:new"), {
        "category": Category.FINANCE, "subject": "贷款贴息", "description": "材料见附件。",
        "preferred_contact": Contact.SITE, "files": [upload(jpeg("orange"), "材料.jpg")]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()

    assert keys(s3, PRIVATE) == {profile.avatar.name, profile.avatar_thumb.name, attachment.file.name}
    assert keys(s3, PUBLIC) == set()
    # A photo's URL is the portal's own view; an attachment's (and the bucket's) is none at all.
    assert profile.avatar.url == reverse("members:photo", args=[profile.avatar.name])
    with pytest.raises(ValueError, match="no public URL"):
        attachment.file.url  # noqa: B018
    with pytest.raises(ValueError, match="no public URL"):
        storages["private"].url(attachment.file.name)
    # The attachment view streams it from the bucket to her.
    ticket = Ticket.objects.get()
    download = client.get(reverse("services:attachment", args=[ticket.reference, attachment.pk]))
    assert b"".join(download.streaming_content) == read(s3, PRIVATE, attachment.file.name)


def test_the_photo_view_streams_from_the_private_bucket_to_her_and_answers_404_to_others(s3, client):
    # Not listed in the directory: only she (and staff) may see her photo.
    profile = photo_posted(client, MemberProfileFactory(real_name="林晓雯", listed_in_directory=False))
    url = profile.avatar.url

    own = client.get(url)
    assert (own.status_code, b"".join(own.streaming_content)) == (200, read(s3, PRIVATE, profile.avatar.name))
    client.force_login(MemberProfileFactory().user)  # another approved member
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    # And a name that is in no profile, even one in the bucket, is nobody's to read.
    client.force_login(UserFactory())
    stray = private_storage().save("avatars/" + "0" * 32 + ".jpg", upload(jpeg()))
    assert stray in keys(s3, PRIVATE)
    assert client.get(reverse("members:photo", args=[stray])).status_code == 404


def test_private_files_may_share_the_public_bucket_only_under_their_own_prefix(settings, s3_server, client):
    client_s3 = buckets_at(s3_server)
    use_object_storage(settings, s3_server, private_bucket=PUBLIC, private_prefix="private")

    profile = photo_posted(client, MemberProfileFactory())

    assert keys(client_s3, PUBLIC) == {f"private/{profile.avatar.name}", f"private/{profile.avatar_thumb.name}"}
    with pytest.raises(Exception, match="DJANGO_S3_PRIVATE_PREFIX"):
        object_storages(endpoint_url=s3_server, region="", access_key="", secret_key="", bucket=PUBLIC,
                        public_url=MEDIA_URL, private_bucket=PUBLIC, private_prefix="", addressing_style="")


# --- switched on by the environment alone ----------------------------------------------------

PROBE = ("import json; from django.conf import settings; from django.core.files.storage import storages; "
         "d, p = storages['default'], storages['private']; "
         "print(json.dumps([type(d).__name__, type(p).__name__, getattr(d, 'bucket_name', None), "
         "getattr(p, 'bucket_name', None), d.url('posters/a.jpg'), "
         "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))")
S3_ENV = {"DJANGO_MEDIA_STORAGE": "s3", "DJANGO_S3_ENDPOINT_URL": "https://oss-cn-shanghai.aliyuncs.com",
          "DJANGO_S3_BUCKET": PUBLIC, "DJANGO_S3_PRIVATE_BUCKET": PRIVATE, "DJANGO_SITE_URL": "https://portal.example.cn"}


@pytest.mark.django_db(databases=[])
@pytest.mark.parametrize(("extra", "expected"), [
    ({}, ["FileSystemStorage", "FileSystemStorage", None, None, "/media/posters/a.jpg", ["'self'", "data:"]]),
    (S3_ENV, ["S3Storage", "PrivateObjectStorage", PUBLIC, PRIVATE,
              "https://portal.example.cn/media/posters/a.jpg", ["'self'", "data:"]]),
    ({**S3_ENV, "DJANGO_S3_PUBLIC_URL": "https://media.example.cn/"},
     ["S3Storage", "PrivateObjectStorage", PUBLIC, PRIVATE, "https://media.example.cn/posters/a.jpg",
      ["'self'", "data:", "https://media.example.cn"]]),
], ids=["file-system", "s3-behind-nginx", "s3-own-origin"])
def test_the_environment_alone_switches_the_storages(extra, expected):
    env = {**production_environment(), "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production", **extra}
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", PROBE], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)

    assert (result.returncode, json.loads(result.stdout or "null")) == (0, expected), result.stderr
