#!/bin/sh
# /usr/bin/towndesk: start the bundled program in /opt/towndesk (installed by the towndesk .deb).
# X11 by default (统信 UOS and 麒麟 Kylin desktops are X11; on Wayland this runs through XWayland);
# set QT_QPA_PLATFORM to override (e.g. wayland, offscreen).
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-xcb}"
exec /opt/towndesk/towndesk "$@"
