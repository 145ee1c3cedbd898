// @generated automatically by Diesel CLI.

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamp,
        actor -> Text,
        account_id -> Nullable<Int8>,
        action -> Text,
        target -> Text,
        reason -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::table! {
    actor (id) {
        id -> Int8,
        ap_id -> Text,
        username -> Text,
        display_name -> Nullable<Text>,
        inbox_url -> Text,
        shared_inbox_url -> Nullable<Text>,
        public_key -> Text,
        private_key -> Nullable<Text>,
        local -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_refreshed_at -> Timestamp,
        actor_type -> Text,
        summary -> Nullable<Text>,
        url -> Nullable<Text>,
        followers_url -> Nullable<Text>,
        icon_url -> Nullable<Text>,
        image_url -> Nullable<Text>,
        manually_approves_followers -> Bool,
        discoverable -> Bool,
        deleted_at -> Nullable<Timestamp>,
        public_key_id -> Nullable<Text>,
        local_only -> Bool,
    }
}

diesel::table! {
    actor_theme (actor_id, theme_id) {
        actor_id -> Int8,
        theme_id -> Int8,
    }
}

diesel::table! {
    api_token (id) {
        id -> Int8,
        account_id -> Int8,
        label -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    appreciation (id) {
        id -> Int8,
        ap_id -> Text,
        actor_id -> Int8,
        story_id -> Nullable<Int8>,
        comment_id -> Nullable<Int8>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    blocklist_entry (id) {
        id -> Int8,
        subscription_id -> Int8,
        domain -> Text,
        severity -> Text,
        comment -> Nullable<Text>,
        state -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    blocklist_subscription (id) {
        id -> Int8,
        url -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        fetched_at -> Nullable<Timestamp>,
        entry_count -> Nullable<Int8>,
        fetch_error -> Nullable<Text>,
    }
}

diesel::table! {
    comment (id) {
        id -> Int8,
        ap_id -> Text,
        story_id -> Int8,
        parent_id -> Nullable<Int8>,
        author_id -> Int8,
        content -> Text,
        source -> Nullable<Text>,
        language -> Nullable<Text>,
        url -> Nullable<Text>,
        local -> Bool,
        published_at -> Timestamp,
        updated_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        hidden_at -> Nullable<Timestamp>,
        hidden_by -> Nullable<Int8>,
    }
}

diesel::table! {
    delivery (id) {
        id -> Int8,
        activity_id -> Int8,
        inbox_url -> Text,
        peer -> Text,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    directory_entry (id) {
        id -> Int8,
        ap_id -> Text,
        node -> Text,
        kind -> Text,
        name -> Text,
        handle -> Text,
        summary -> Text,
        url -> Nullable<Text>,
        place_name -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        follower_count -> Int8,
        last_activity_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        synced_at -> Timestamp,
    }
}

diesel::table! {
    directory_entry_theme (entry_id, theme_key) {
        entry_id -> Int8,
        theme_key -> Text,
        name -> Text,
    }
}

diesel::table! {
    directory_publication (ap_id) {
        ap_id -> Text,
        seq -> Int8,
        fingerprint -> Text,
        body -> Nullable<Text>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    directory_term (term, entry_id) {
        term -> Text,
        entry_id -> Int8,
    }
}

diesel::table! {
    domain_policy (id) {
        id -> Int8,
        domain -> Text,
        kind -> Text,
        severity -> Nullable<Text>,
        public_comment -> Nullable<Text>,
        private_comment -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    follow (id) {
        id -> Int8,
        follower_id -> Int8,
        followee_id -> Int8,
        ap_id -> Nullable<Text>,
        state -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_moderator (group_id, person_id) {
        group_id -> Int8,
        person_id -> Int8,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_post (id) {
        id -> Int8,
        group_id -> Int8,
        ap_id -> Text,
        author_id -> Int8,
        kind -> Text,
        name -> Nullable<Text>,
        summary -> Nullable<Text>,
        content -> Text,
        url -> Nullable<Text>,
        in_reply_to -> Nullable<Text>,
        activity -> Text,
        published_at -> Timestamp,
        accepted_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
        locked -> Bool,
    }
}

diesel::table! {
    initiative (actor_id) {
        actor_id -> Int8,
        contact_person_id -> Int8,
        website -> Nullable<Text>,
        neighbourhood -> Nullable<Text>,
        location_name -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    initiative_member (initiative_id, person_id) {
        initiative_id -> Int8,
        person_id -> Int8,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invite (id) {
        id -> Int8,
        code -> Text,
        created_by -> Nullable<Int8>,
        note -> Nullable<Text>,
        max_uses -> Nullable<Int4>,
        uses -> Int4,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    known_node (domain) {
        domain -> Text,
        source -> Text,
        learned_from -> Nullable<Text>,
        actor_url -> Nullable<Text>,
        directory_url -> Nullable<Text>,
        nodes_url -> Nullable<Text>,
        name -> Nullable<Text>,
        region_codes -> Text,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        cursor -> Nullable<Text>,
        last_synced_at -> Nullable<Timestamp>,
        next_sync_at -> Timestamp,
        consecutive_failures -> Int4,
        last_error -> Nullable<Text>,
        dead_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        software -> Nullable<Text>,
    }
}

diesel::table! {
    local_account (id) {
        id -> Int8,
        person_id -> Int8,
        password_hash -> Text,
        admin -> Bool,
        created_at -> Timestamp,
        last_active_at -> Nullable<Timestamp>,
        approved -> Bool,
        signup_answer -> Nullable<Text>,
        moderator -> Bool,
        suspended_at -> Nullable<Timestamp>,
        suspension_reason -> Nullable<Text>,
        invite_id -> Nullable<Int8>,
    }
}

diesel::table! {
    media (id) {
        id -> Int8,
        uploader_id -> Int8,
        file_name -> Text,
        content_type -> Text,
        byte_size -> Int8,
        width -> Int4,
        height -> Int4,
        created_at -> Timestamp,
    }
}

diesel::table! {
    node_settings (id) {
        id -> Int4,
        name -> Text,
        description -> Text,
        registration_mode -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        signup_question -> Nullable<Text>,
        federation_mode -> Text,
        default_visibility -> Text,
        rules -> Text,
        contact_name -> Text,
        contact_email -> Text,
        languages -> Text,
        account_deletion_content -> Text,
    }
}

diesel::table! {
    notification (id) {
        id -> Int8,
        recipient_id -> Int8,
        kind -> Text,
        comment_id -> Int8,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outgoing_activity (id) {
        id -> Int8,
        ap_id -> Text,
        actor_id -> Int8,
        kind -> Text,
        body -> Text,
        public -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    peer (host) {
        host -> Text,
        consecutive_failures -> Int4,
        circuit_open_until -> Nullable<Timestamp>,
        last_success_at -> Nullable<Timestamp>,
        last_failure_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    received_activity (ap_id) {
        ap_id -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    remote_tombstone (ap_id) {
        ap_id -> Text,
        deleted_at -> Timestamp,
    }
}

diesel::table! {
    story (id) {
        id -> Int8,
        ap_id -> Text,
        initiative_id -> Int8,
        author_id -> Int8,
        title -> Text,
        summary -> Text,
        source -> Text,
        content -> Text,
        language -> Text,
        visibility -> Text,
        pinned -> Bool,
        local -> Bool,
        url -> Nullable<Text>,
        published_at -> Timestamp,
        updated_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        cover_media_id -> Nullable<Int8>,
        cover_alt -> Nullable<Text>,
        hidden_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    story_group (story_id, group_id) {
        story_id -> Int8,
        group_id -> Int8,
    }
}

diesel::table! {
    story_theme (story_id, theme_id) {
        story_id -> Int8,
        theme_id -> Int8,
    }
}

diesel::table! {
    theme (id) {
        id -> Int8,
        slug -> Text,
        name -> Text,
    }
}

diesel::table! {
    theme_group (actor_id) {
        actor_id -> Int8,
        rules -> Text,
        location_name -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(actor_theme -> actor (actor_id));
diesel::joinable!(actor_theme -> theme (theme_id));
diesel::table! {
    web_session (id) {
        id -> Int8,
        account_id -> Int8,
        token_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    report (id) {
        id -> Int8,
        ap_id -> Nullable<Text>,
        reporter_id -> Nullable<Int8>,
        origin -> Nullable<Text>,
        target_kind -> Text,
        target_id -> Int8,
        target_url -> Text,
        target_author_id -> Nullable<Int8>,
        reason -> Text,
        forward -> Bool,
        forwarded_at -> Nullable<Timestamp>,
        status -> Text,
        action -> Nullable<Text>,
        resolution_note -> Nullable<Text>,
        resolved_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    actor_suspension (actor_id) {
        actor_id -> Int8,
        reason -> Text,
        suspended_by -> Text,
        suspended_at -> Timestamp,
    }
}

diesel::joinable!(api_token -> local_account (account_id));
diesel::joinable!(blocklist_entry -> blocklist_subscription (subscription_id));
diesel::joinable!(appreciation -> actor (actor_id));
diesel::joinable!(appreciation -> comment (comment_id));
diesel::joinable!(appreciation -> story (story_id));
diesel::joinable!(comment -> actor (author_id));
diesel::joinable!(comment -> story (story_id));
diesel::joinable!(delivery -> outgoing_activity (activity_id));
diesel::joinable!(directory_entry_theme -> directory_entry (entry_id));
diesel::joinable!(directory_term -> directory_entry (entry_id));
diesel::joinable!(local_account -> actor (person_id));
diesel::joinable!(theme_group -> actor (actor_id));
diesel::joinable!(media -> actor (uploader_id));
diesel::joinable!(notification -> actor (recipient_id));
diesel::joinable!(notification -> comment (comment_id));
diesel::joinable!(outgoing_activity -> actor (actor_id));
diesel::joinable!(story -> media (cover_media_id));
diesel::joinable!(story_theme -> story (story_id));
diesel::joinable!(story_theme -> theme (theme_id));
diesel::joinable!(web_session -> local_account (account_id));
diesel::joinable!(actor_suspension -> actor (actor_id));

diesel::allow_tables_to_appear_in_same_query!(
    actor,
    actor_suspension,
    actor_theme,
    api_token,
    appreciation,
    audit_log,
    blocklist_entry,
    blocklist_subscription,
    comment,
    delivery,
    directory_entry,
    directory_entry_theme,
    directory_publication,
    directory_term,
    domain_policy,
    follow,
    group_moderator,
    group_post,
    initiative,
    initiative_member,
    invite,
    known_node,
    local_account,
    media,
    node_settings,
    notification,
    outgoing_activity,
    peer,
    received_activity,
    remote_tombstone,
    report,
    story,
    story_group,
    story_theme,
    theme,
    theme_group,
    web_session,
);
